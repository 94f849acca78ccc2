"""The progress store's tables as they are at the newest migration (the code queries these).

The database itself is only ever created and changed by the Alembic migrations in
`academy/progress/migrations/versions/`, never by `create_all`; a test checks that the
migrated database and these tables agree column for column.

Who a record belongs to:

- `attempts.learner` is the name the learner was identified by when they answered: the
  JupyterHub user on a hub, the roster id of a learner who signed in to `academy serve
  --cohort`, or the name or staff id typed at sign-in without a cohort (case folded);
- `attempts.roster_id` is the cohort roster id when it was known at that moment (on a hub
  the hub user *is* the roster id), else NULL;
- `learner_links` maps a recorded name with no roster id to a roster id afterwards (a
  trainer matching "maria g." to `mgarcia` with `academy cohort link`); summaries use the
  link before anything else, the attempts stay as they were written;
- `attempts.uid` makes writing an attempt idempotent: an answer kept while the database was
  down is written later under the same uid, and written at most once.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

#: Constraint names are spelled out so every database (and every migration) agrees on them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
}
metadata = MetaData(naming_convention=NAMING)

#: Longest learner name or roster id the store keeps.
NAME_LENGTH = 200
#: How the learner was identified when the attempt was written.
IDENTIFIED_BY = ("hub", "roster", "typed")

attempts_table = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner", String(NAME_LENGTH), nullable=False, index=True),
    Column("lesson", String(200), nullable=False, index=True),
    Column("step", Integer, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("answer", Text, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("uid", String(36), nullable=False, unique=True),
    Column("roster_id", String(NAME_LENGTH), nullable=True, index=True),
    Column("identified_by", String(10), nullable=False, server_default="typed"),
)

lessons_table = Table(
    "lessons",
    metadata,
    Column("lesson", String(200), primary_key=True),
    Column("title", String(300), nullable=False, default=""),
    Column("steps_total", Integer, nullable=False),
)

learner_links_table = Table(
    "learner_links",
    metadata,
    Column("learner", String(NAME_LENGTH), primary_key=True),
    Column("roster_id", String(NAME_LENGTH), nullable=False, index=True),
    Column("linked_by", String(NAME_LENGTH), nullable=False),
    Column("linked_at", DateTime(timezone=True), nullable=False),
)
