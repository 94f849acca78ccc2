"""Attempts and lessons: the tables the store had before it used migrations.

A database created by an older academy (with `create_all`, no `alembic_version` table)
already has exactly these tables; `academy.progress.migrate` marks it as being at this
revision and upgrades it from here, so none of its records is touched.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("learner", sa.String(200), nullable=False),
        sa.Column("lesson", sa.String(200), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("answer", sa.Text, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_attempts_learner", "attempts", ["learner"])
    op.create_index("ix_attempts_lesson", "attempts", ["lesson"])
    op.create_table(
        "lessons",
        sa.Column("lesson", sa.String(200), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("steps_total", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lessons")
    op.drop_index("ix_attempts_lesson", "attempts")
    op.drop_index("ix_attempts_learner", "attempts")
    op.drop_table("attempts")
