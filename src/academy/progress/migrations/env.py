"""Alembic's entry point for the progress store: runs on the connection it is handed.

`academy.progress.migrate` opens the connection (and takes the migration lock) and puts it
in `config.attributes["connection"]`; there is no alembic.ini and no URL here.
"""

from __future__ import annotations

from alembic import context

from academy.progress.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite rebuilds tables for changes it cannot ALTER in place
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
