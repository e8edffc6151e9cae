"""Empty base revision: each area branches from here (upgrade with `heads`).

Revision ID: 0000_base
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

revision: str = "0000_base"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
