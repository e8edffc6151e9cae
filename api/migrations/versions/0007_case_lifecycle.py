"""Cases: turns written before the claim, out-of-hours opening, satisfaction, transcript mail.

Revision ID: 0007_case_lifecycle
Revises: 0003_handoffs
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_case_lifecycle"
down_revision: str | None = "0003_handoffs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("transcript_synced_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "opened_out_of_hours", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("team_back_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("satisfaction_score", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("satisfaction_comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("satisfaction_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("transcript_emailed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for column in (
            "transcript_emailed_at",
            "satisfaction_at",
            "satisfaction_comment",
            "satisfaction_score",
            "team_back_at",
            "opened_out_of_hours",
            "transcript_synced_until",
        ):
            batch.drop_column(column)
