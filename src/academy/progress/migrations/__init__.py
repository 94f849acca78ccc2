"""Alembic migrations of the progress store (see `academy.progress.migrate`).

How to add a revision when the schema changes:

1. change the tables in `academy/progress/schema.py`;
2. copy the newest file in `versions/` to `NNNN_what_it_does.py` with the next number, set
   `revision = "NNNN"` and `down_revision` to the previous number, and write `upgrade()`
   with `op.add_column`, `op.create_table`, ... (use `op.batch_alter_table` for anything
   SQLite cannot ALTER in place: constraints, NOT NULL, dropping columns). Keep every
   existing record: add columns nullable or with a server default, backfill in the
   migration, and never drop data a later revision might need;
3. run `pytest tests/test_progress_migrations.py`: it upgrades a database holding records
   of every older revision, on SQLite and PostgreSQL, and checks the result matches
   `schema.py` column for column.

Every store upgrades its database to the newest revision when it first connects, under a
lock, so many learners' kernels starting at once migrate it exactly once;
`academy progress upgrade` does the same by hand (for a database the learners' servers
may not change, such as a managed PostgreSQL with a read-write role only).
"""
