"""Visitors' ratings of knowledge answers.

Revision ID: 0006_feedback
Revises: 0000_base
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_feedback"
down_revision: str | None = "0000_base"
branch_labels: str | Sequence[str] | None = ("feedback",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.String(length=100), nullable=False),
        sa.Column("question", sa.String(length=1000), nullable=False),
        sa.Column("theme", sa.String(length=32), nullable=True),
        sa.Column("commune_insee", sa.String(length=5), nullable=True),
        sa.Column("rating", sa.String(length=4), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating IN ('up', 'down')", name=op.f("ck_answer_feedback_rating")),
        sa.CheckConstraint(
            "reason IS NULL OR reason IN "
            "('not_my_question', 'inaccurate', 'outdated', 'not_local')",
            name=op.f("ck_answer_feedback_reason"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
        sa.UniqueConstraint("key", name=op.f("uq_answer_feedback_key")),
    )
    op.create_index(op.f("ix_answer_feedback_entry_id"), "answer_feedback", ["entry_id"])
    op.create_index(op.f("ix_answer_feedback_created_at"), "answer_feedback", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_answer_feedback_created_at"), table_name="answer_feedback")
    op.drop_index(op.f("ix_answer_feedback_entry_id"), table_name="answer_feedback")
    op.drop_table("answer_feedback")
