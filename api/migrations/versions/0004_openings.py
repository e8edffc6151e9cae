"""Openings: partners (with their push-API key hash) and the openings they supply.

Revision ID: 0004_openings
Revises: 0000_base
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004_openings"
down_revision: str | None = "0000_base"
branch_labels: str | Sequence[str] | None = ("openings",)
depends_on: str | Sequence[str] | None = None

# The partners named in the programme; others are added with `create-partner-key --name`.
KNOWN_PARTNERS = [
    ("france-travail", "France Travail"),
    ("cci-lot", "CCI du Lot"),
    ("cma-lot", "Chambre de métiers et de l'artisanat du Lot"),
    ("chambre-agriculture-lot", "Chambre d'agriculture du Lot"),
    ("exemple", "Données d'exemple (fictives)"),
]


def upgrade() -> None:
    partners = op.create_table(
        "partners",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=True),
        sa.Column("key_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        partners,
        [{"id": slug, "name": name, "created_at": now} for slug, name in KNOWN_PARTNERS],
    )
    op.create_table(
        "openings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("partner_ref", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("employer_or_seller", sa.String(length=300), nullable=True),
        sa.Column("contact_org", sa.String(length=300), nullable=True),
        sa.Column("commune_insee", sa.String(length=5), nullable=True),
        sa.Column("commune_name", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("contract_type", sa.String(length=16), nullable=True),
        sa.Column("contract_label", sa.String(length=200), nullable=True),
        sa.Column("rome_code", sa.String(length=5), nullable=True),
        sa.Column("salary_text", sa.String(length=300), nullable=True),
        sa.Column("price_text", sa.String(length=300), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("title_lemmas", sa.Text(), nullable=False),
        sa.Column("lemma_text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('job', 'business_takeover', 'farm_takeover')", name=op.f("ck_openings_kind")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_openings_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_openings")),
        sa.UniqueConstraint("partner_id", "partner_ref", name=op.f("uq_openings_partner_id")),
    )
    op.create_index(op.f("ix_openings_partner_id"), "openings", ["partner_id"])
    op.create_index(op.f("ix_openings_kind"), "openings", ["kind"])
    op.create_index(op.f("ix_openings_commune_insee"), "openings", ["commune_insee"])
    op.create_index(op.f("ix_openings_contract_type"), "openings", ["contract_type"])
    op.create_index(op.f("ix_openings_expires_at"), "openings", ["expires_at"])
    op.create_index("ix_openings_created_at_id", "openings", ["created_at", "id"])
    op.create_index("ix_openings_latitude_longitude", "openings", ["latitude", "longitude"])


def downgrade() -> None:
    op.drop_table("openings")
    op.drop_table("partners")
