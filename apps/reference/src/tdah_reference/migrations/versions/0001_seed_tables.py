"""The seed's tables (users, conversation_states, conversation_messages) and its indexes."""
from alembic import op

revision = "0001"
down_revision = None

TABLES = """
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL DEFAULT '',
    phone_number text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE TABLE conversation_states (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conversation_states_user_key UNIQUE (user_id)
);
CREATE TABLE conversation_messages (
    id bigserial PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversation_states (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content text NOT NULL,
    timestamp timestamptz NOT NULL DEFAULT now()
);
"""
# The seed's indexes, built without locking writes: CONCURRENTLY cannot run
# inside a transaction, so each runs in an autocommit block. IF NOT EXISTS
# lets a migration interrupted between two indexes run again.
INDEXES = [
    "idx_users_email ON users (email)",
    "idx_users_phone ON users (phone_number)",
    "idx_conversations_user_id ON conversation_states (user_id)",
    "idx_messages_conversation_id ON conversation_messages (conversation_id)",
    "idx_messages_timestamp ON conversation_messages (timestamp)",
]


def upgrade() -> None:
    for statement in TABLES.split(";"):
        if statement.strip():
            op.execute(statement)
    with op.get_context().autocommit_block():
        for index in INDEXES:
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index}")
