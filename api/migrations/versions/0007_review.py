"""The editors' review inbox: groups of similar misses, their items and history.

Revision ID: 0007_review
Revises: 0006_feedback
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_review"
down_revision: str | None = "0006_feedback"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("0001_unanswered", "0002_accounts")


def upgrade() -> None:
    op.create_table(
        "review_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vector", sa.JSON(), nullable=True),
        sa.Column("vector_encoder", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IN ('todo', 'resolved', 'ignored')", name=op.f("ck_review_groups_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_groups")),
    )
    op.create_index(op.f("ix_review_groups_status"), "review_groups", ["status"])
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("unanswered_id", sa.Integer(), nullable=True),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('unanswered', 'thumbs_down')", name=op.f("ck_review_items_kind")
        ),
        sa.CheckConstraint(
            "(unanswered_id IS NULL) <> (feedback_id IS NULL)",
            name=op.f("ck_review_items_one_source"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["review_groups.id"],
            name=op.f("fk_review_items_group_id_review_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unanswered_id"],
            ["unanswered_questions.id"],
            name=op.f("fk_review_items_unanswered_id_unanswered_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["answer_feedback.id"],
            name=op.f("fk_review_items_feedback_id_answer_feedback"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.UniqueConstraint("unanswered_id", name=op.f("uq_review_items_unanswered_id")),
        sa.UniqueConstraint("feedback_id", name=op.f("uq_review_items_feedback_id")),
    )
    op.create_index(op.f("ix_review_items_group_id"), "review_items", ["group_id"])
    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["review_groups.id"],
            name=op.f("fk_review_events_group_id_review_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_review_events_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_events")),
    )
    op.create_index(op.f("ix_review_events_group_id"), "review_events", ["group_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_review_events_group_id"), table_name="review_events")
    op.drop_table("review_events")
    op.drop_index(op.f("ix_review_items_group_id"), table_name="review_items")
    op.drop_table("review_items")
    op.drop_index(op.f("ix_review_groups_status"), table_name="review_groups")
    op.drop_table("review_groups")
