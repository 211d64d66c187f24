"""Schema migrations: `tdah-reference-migrate status` prints {"current", "head", "pending"} as JSON;
`tdah-reference-migrate upgrade` runs `alembic upgrade head`. The connection comes from the same
environment as the application (DB_*), with the schema owner's DB_USER and DB_PASSWORD."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from . import __version__
from .settings import SettingsError, load

HERE = Path(__file__).resolve().parent
MIGRATION_KEYS = ("JWT_SECRET_KEY", "ENCRYPTION_KEY", "SESSION_SECRET", "REDIS_PASSWORD")


def engine():
    import psycopg  # pylint: disable=import-outside-toplevel
    from sqlalchemy import create_engine  # pylint: disable=import-outside-toplevel
    env = dict(os.environ)
    # Migrations need only the database settings.
    env.update({key: env.get(key) or "x" * 64 for key in MIGRATION_KEYS})
    env.setdefault("REDIS_SENTINELS", "unused:26379")
    settings = load(env, __version__)
    params = {**settings.conninfo(), "password": settings.db_password}
    return create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(**params), poolclass=None)


def config() -> Config:
    cfg = Config(str(HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    return cfg


def status() -> dict:
    head = ScriptDirectory.from_config(config()).get_current_head()
    with engine().connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return {"current": current, "head": head, "pending": current != head}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if args == ["status"]:
            print(json.dumps(status()))
            return 0
        if args == ["upgrade"]:
            command.upgrade(config(), "head")
            print(json.dumps(status()))
            return 0
    except SettingsError as exc:
        print(f"tdah-reference-migrate: {exc}", file=sys.stderr)
        return 2
    print("usage: tdah-reference-migrate status|upgrade", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
