"""Openings: a word index (opening_terms), filled from each opening's lemma_text.

Revision ID: 0005_opening_terms
Revises: 0004_openings
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_opening_terms"
down_revision: str | None = "0004_openings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_TERM_LENGTH = 64
_BATCH = 5000


def upgrade() -> None:
    terms = op.create_table(
        "opening_terms",
        sa.Column("term", sa.String(MAX_TERM_LENGTH), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opening_id"],
            ["openings.id"],
            name=op.f("fk_opening_terms_opening_id_openings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "opening_id", name=op.f("pk_opening_terms")),
    )
    op.create_index(op.f("ix_opening_terms_opening_id"), "opening_terms", ["opening_id"])
    rows = op.get_bind().execute(sa.text("SELECT id, lemma_text FROM openings")).all()
    batch: list[dict[str, object]] = []
    for opening_id, lemma_text in rows:
        for term in set(lemma_text.split()):
            if len(term) <= MAX_TERM_LENGTH:
                batch.append({"term": term, "opening_id": opening_id})
        if len(batch) >= _BATCH:
            op.bulk_insert(terms, batch)
            batch = []
    if batch:
        op.bulk_insert(terms, batch)


def downgrade() -> None:
    op.drop_index(op.f("ix_opening_terms_opening_id"), table_name="opening_terms")
    op.drop_table("opening_terms")
