"""Plans ("Mon projet d'installation") and the plan a case carries.

Revision ID: 0008_plans
Revises: 0007_case_lifecycle
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_plans"
down_revision: str | None = "0007_case_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=True),
        sa.Column("household", sa.JSON(), nullable=False),
        sa.Column("housing_tenure", sa.String(length=8), nullable=True),
        sa.Column("housing_kind", sa.String(length=8), nullable=True),
        sa.Column("area_communes", sa.JSON(), nullable=False),
        sa.Column("area_epci", sa.String(length=9), nullable=True),
        sa.Column("timeline", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "housing_tenure IN ('rent', 'buy')", name=op.f("ck_plans_housing_tenure")
        ),
        sa.CheckConstraint("housing_kind IN ('house', 'flat')", name=op.f("ck_plans_housing_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_plans_token_hash")),
    )
    op.create_index(op.f("ix_plans_conversation_id"), "plans", ["conversation_id"])
    op.create_index(op.f("ix_plans_expires_at"), "plans", ["expires_at"])
    op.create_index(op.f("ix_plans_revoked_at"), "plans", ["revoked_at"])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_cases_plan_id"), ["plan_id"])
        batch.create_foreign_key(
            batch.f("fk_cases_plan_id_plans"), "plans", ["plan_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint(batch.f("fk_cases_plan_id_plans"), type_="foreignkey")
        batch.drop_index(batch.f("ix_cases_plan_id"))
        batch.drop_column("plan_id")
    op.drop_index(op.f("ix_plans_revoked_at"), table_name="plans")
    op.drop_index(op.f("ix_plans_expires_at"), table_name="plans")
    op.drop_index(op.f("ix_plans_conversation_id"), table_name="plans")
    op.drop_table("plans")
