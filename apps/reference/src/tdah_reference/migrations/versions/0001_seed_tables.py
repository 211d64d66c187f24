"""The seed's tables (users, conversation_states, conversation_messages) and its indexes."""
from alembic import op

revision = "0001"
down_revision = None

TABLES = """
CREATE TABLE IF NOT EXISTS users (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL DEFAULT '',
    phone_number text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE TABLE IF NOT EXISTS conversation_states (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conversation_states_user_key UNIQUE (user_id)
);
CREATE TABLE IF NOT EXISTS conversation_messages (
    id bigserial PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversation_states (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content text NOT NULL,
    timestamp timestamptz NOT NULL DEFAULT now()
);
"""
# The seed's indexes, built without locking writes: CONCURRENTLY cannot run
# inside a transaction, so each runs in an autocommit block. A migration
# interrupted there has committed its tables but not its revision: the tables
# are IF NOT EXISTS, and an index an interrupted build left INVALID is
# dropped and built again.
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
            name = index.split()[0]
            invalid = op.get_bind().exec_driver_sql(
                "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s AND NOT i.indisvalid", (name,)).first()
            if invalid:
                op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            op.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index}")
