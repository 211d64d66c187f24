"""Alembic environment: online migrations only, with the connection tdah_reference.migrate makes."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from tdah_reference.migrate import engine

if context.config.config_file_name:
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)

with engine().connect() as connection:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
