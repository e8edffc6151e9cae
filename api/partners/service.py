"""Partner push-API keys: made once, shown once, stored as a hash.

The keys are 256-bit random strings, so a plain SHA-256 is enough: a slow password hash
(argon2) protects guessable passwords, and here it would only add ~50 ms to every push call
without making a random key any harder to find.
"""

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.core.db import utcnow
from api.openings.models import Partner
from api.openings.records import (
    OpeningRecord,
    RecordError,
    field_key,
    record_from_partner_fields,
)
from api.openings.service import UpsertStatus, upsert_records
from api.territory.service import Territory

KEY_PREFIX = "olp_"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class PartnerError(ValueError):
    """A partner cannot be created as asked; the message is French, for the operator."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, partner_id: str, name: str | None = None) -> str:
    """A new key for the partner (created when `name` is given), replacing any previous key.
    Returns the key itself, which is not stored anywhere; the caller commits."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        if not name:
            raise PartnerError(
                f'partenaire « {partner_id} » inconnu : ajoutez --name "Nom affiché" pour le créer'
            )
        if not _SLUG.match(partner_id) or len(partner_id) > 64:
            raise PartnerError(
                f"identifiant « {partner_id} » invalide : minuscules, chiffres et tirets "
                "(ex. cci-lot)"
            )
        partner = Partner(id=partner_id, name=name.strip())
        session.add(partner)
    elif name:
        partner.name = name.strip()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    partner.key_hash = hash_key(key)
    partner.key_created_at = utcnow()
    session.flush()
    return key


def authenticate(session: Session, partner_id: str, key: str) -> Partner | None:
    """The partner when `key` is its current key; None for an unknown partner or a wrong key."""
    partner = session.get(Partner, partner_id)
    expected = partner.key_hash if partner is not None else None
    # Compare even when the partner is unknown, so that timing does not tell which ids exist.
    matches = secrets.compare_digest(hash_key(key), expected or "0" * 64)
    return partner if matches and expected is not None else None


# --- push API ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushOutcome:
    accepted: list[tuple[int, str, UpsertStatus]]
    rejected: list[tuple[int, str | None, list[str]]]


def record_from_push(item: Mapping[str, Any], territory: Territory) -> OpeningRecord:
    """A pushed JSON object: template fields (docs/contracts.md, "Openings"), texts or numbers."""
    fields: dict[str, str] = {}
    reasons: list[str] = []
    for name, value in item.items():
        if isinstance(value, dict | list):
            reasons.append(f"« {name} » doit être un texte, pas un objet ni une liste")
            continue
        fields[field_key(str(name))] = "" if value is None else str(value)
    if reasons:
        raise RecordError(reasons, fields.get("reference") or None)
    return record_from_partner_fields(fields, territory)


def push_items(
    session: Session, territory: Territory, partner_id: str, items: Sequence[Mapping[str, Any]]
) -> PushOutcome:
    """Check every item, save the good ones in one transaction, report the others."""
    rejected: list[tuple[int, str | None, list[str]]] = []
    records: list[tuple[int, OpeningRecord]] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        try:
            record = record_from_push(item, territory)
        except RecordError as error:
            rejected.append((index, error.ref, error.reasons))
            continue
        if record.partner_ref in first_index:
            first = first_index[record.partner_ref]
            reason = f"référence en double dans l'envoi (déjà à l'élément {first})"
            rejected.append((index, record.partner_ref, [reason]))
            continue
        first_index[record.partner_ref] = index
        records.append((index, record))
    statuses = upsert_records(session, partner_id, [record for _, record in records])
    session.commit()
    accepted = [
        (index, record.partner_ref, status)
        for (index, record), status in zip(records, statuses, strict=True)
    ]
    return PushOutcome(accepted, rejected)
