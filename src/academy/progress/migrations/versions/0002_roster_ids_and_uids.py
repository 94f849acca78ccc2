"""Roster ids, links for unmatched names, and a uid per attempt.

- `attempts.uid`: every attempt gets a unique id, so an answer kept while the database
  was down is written later exactly once; older rows get one generated here;
- `attempts.roster_id` and `attempts.identified_by`: the roster id when it was known at
  write time (on a hub the hub user is the roster id) and how the learner was identified
  ('hub' or 'typed'); older rows keep NULL and 'typed';
- `learner_links`: a recorded name linked to a roster id afterwards.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("uid", sa.String(36), nullable=True))
        batch.add_column(sa.Column("roster_id", sa.String(200), nullable=True))
        batch.add_column(
            sa.Column("identified_by", sa.String(10), nullable=False, server_default="typed")
        )
    attempts = sa.table("attempts", sa.column("id", sa.Integer), sa.column("uid", sa.String))
    connection = op.get_bind()
    ids = [
        row[0]
        for row in connection.execute(sa.select(attempts.c.id).where(attempts.c.uid.is_(None)))
    ]
    for start in range(0, len(ids), 1000):
        connection.execute(
            attempts.update().where(attempts.c.id == sa.bindparam("row_id")),
            [{"row_id": i, "uid": str(uuid.uuid4())} for i in ids[start : start + 1000]],
        )
    with op.batch_alter_table("attempts") as batch:
        batch.alter_column("uid", existing_type=sa.String(36), nullable=False)
        batch.create_unique_constraint("uq_attempts_uid", ["uid"])
        batch.create_index("ix_attempts_roster_id", ["roster_id"])
    op.create_table(
        "learner_links",
        sa.Column("learner", sa.String(200), primary_key=True),
        sa.Column("roster_id", sa.String(200), nullable=False),
        sa.Column("linked_by", sa.String(200), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_learner_links_roster_id", "learner_links", ["roster_id"])


def downgrade() -> None:
    op.drop_index("ix_learner_links_roster_id", "learner_links")
    op.drop_table("learner_links")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_index("ix_attempts_roster_id")
        batch.drop_constraint("uq_attempts_uid", type_="unique")
        batch.drop_column("identified_by")
        batch.drop_column("roster_id")
        batch.drop_column("uid")
