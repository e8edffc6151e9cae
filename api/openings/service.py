"""Openings: idempotent upserts from partners, expiry, and the visitor-facing search."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from api.core.db import utcnow
from api.openings.models import MAX_TERM_LENGTH, Kind, Opening, OpeningTerm, Partner
from api.openings.records import OpeningRecord
from api.openings.search import (
    EARTH_RADIUS_KM,
    bounding_box,
    haversine_km,
    index_texts,
    query_terms,
)
from api.territory.schemas import Commune
from api.territory.service import Territory

SAMPLE_PARTNER = "exemple"
# Shown beside every sample opening, so that nobody takes it for a real one.
SAMPLE_NOTICE = "Exemple fictif"
_CHUNK = 500


class UpsertStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def get_partner(session: Session, partner_id: str) -> Partner | None:
    return session.get(Partner, partner_id)


def upsert_records(
    session: Session,
    partner_id: str,
    records: Sequence[OpeningRecord],
    *,
    is_sample: bool = False,
    now: datetime | None = None,
) -> list[UpsertStatus]:
    """Create or update each record (partner references must be unique within `records`);
    the caller commits. Identical records are left untouched, expired ones come back."""
    now = now or utcnow()
    statuses: list[UpsertStatus] = []
    for start in range(0, len(records), _CHUNK):
        statuses.extend(
            _upsert_chunk(session, partner_id, records[start : start + _CHUNK], is_sample, now)
        )
    return statuses


def _upsert_chunk(
    session: Session,
    partner_id: str,
    records: Sequence[OpeningRecord],
    is_sample: bool,
    now: datetime,
) -> list[UpsertStatus]:
    refs = [record.partner_ref for record in records]
    existing = {
        opening.partner_ref: opening
        for opening in session.scalars(
            select(Opening).where(Opening.partner_id == partner_id, Opening.partner_ref.in_(refs))
        )
    }
    statuses: list[UpsertStatus] = []
    changed: list[tuple[OpeningRecord, Opening, str]] = []
    for record in records:
        digest = record.content_hash(is_sample)
        opening = existing.get(record.partner_ref)
        # An opening expired by a full import differs from its record's own expiry: revive it.
        if (
            opening is not None
            and opening.content_hash == digest
            and opening.expires_at == record.expires_at
        ):
            statuses.append(UpsertStatus.UNCHANGED)
            continue
        if opening is None:
            opening = Opening(partner_id=partner_id, partner_ref=record.partner_ref)
            opening.first_seen_at = now
            session.add(opening)
            statuses.append(UpsertStatus.CREATED)
        else:
            statuses.append(UpsertStatus.UPDATED)
        changed.append((record, opening, digest))
    for (record, opening, digest), (title_lemmas, lemma_text) in zip(
        changed, index_texts([record for record, _, _ in changed]), strict=True
    ):
        _apply(opening, record, digest, is_sample, now)
        opening.title_lemmas = title_lemmas
        opening.lemma_text = lemma_text
    session.flush()
    _index_terms(session, [opening for _, opening, _ in changed])
    return statuses


def _index_terms(session: Session, openings: Sequence[Opening]) -> None:
    """Rewrite the word index of `openings` from their lemma_text (ids must be flushed)."""
    if not openings:
        return
    session.execute(delete(OpeningTerm).where(OpeningTerm.opening_id.in_([o.id for o in openings])))
    rows = [
        {"term": term, "opening_id": opening.id}
        for opening in openings
        for term in set(opening.lemma_text.split())
        if len(term) <= MAX_TERM_LENGTH
    ]
    if rows:
        session.execute(insert(OpeningTerm), rows)


def _apply(
    opening: Opening, record: OpeningRecord, digest: str, is_sample: bool, now: datetime
) -> None:
    opening.kind = record.kind.value
    opening.sector = record.sector
    opening.title = record.title
    opening.description = record.description
    opening.employer_or_seller = record.employer_or_seller
    opening.contact_org = record.contact_org
    opening.commune_insee = record.commune_insee
    opening.commune_name = record.commune_name
    opening.latitude = record.latitude
    opening.longitude = record.longitude
    opening.contract_type = record.contract_type
    opening.contract_label = record.contract_label
    opening.rome_code = record.rome_code
    opening.salary_text = record.salary_text
    opening.price_text = record.price_text
    opening.url = record.url
    # Without a date from the partner, an opening dates from when we first received it.
    created = record.created_at or (opening.created_at if opening.id is not None else now)
    opening.created_at = created
    opening.updated_at = record.updated_at or (now if opening.id is not None else created)
    opening.expires_at = record.expires_at
    opening.is_sample = is_sample
    opening.content_hash = digest
    opening.last_changed_at = now


def _active(now: datetime) -> ColumnElement[bool]:
    return or_(Opening.expires_at.is_(None), Opening.expires_at > now)


def expire_missing(
    session: Session, partner_id: str, keep_refs: set[str], now: datetime | None = None
) -> int:
    """Expire the partner's live openings whose reference is not in `keep_refs` (full import)."""
    now = now or utcnow()
    live = session.execute(
        select(Opening.id, Opening.partner_ref).where(
            Opening.partner_id == partner_id, _active(now)
        )
    ).all()
    gone = [opening_id for opening_id, ref in live if ref not in keep_refs]
    for start in range(0, len(gone), _CHUNK):
        session.execute(
            update(Opening)
            .where(Opening.id.in_(gone[start : start + _CHUNK]))
            .values(expires_at=now, last_changed_at=now)
        )
    return len(gone)


def expire_opening(
    session: Session, partner_id: str, partner_ref: str, now: datetime | None = None
) -> bool:
    """Withdraw one opening; False when the partner has no such live opening."""
    now = now or utcnow()
    result = session.execute(
        update(Opening)
        .where(
            Opening.partner_id == partner_id,
            Opening.partner_ref == partner_ref,
            _active(now),
        )
        .values(expires_at=now, last_changed_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def get_opening(session: Session, opening_id: int) -> Opening | None:
    return session.get(Opening, opening_id)


def find_by_ref(session: Session, partner_id: str, partner_ref: str) -> Opening | None:
    return session.scalar(
        select(Opening).where(Opening.partner_id == partner_id, Opening.partner_ref == partner_ref)
    )


def count_openings(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Opening)) or 0


def delete_samples(session: Session) -> int:
    result = session.execute(delete(Opening).where(Opening.is_sample.is_(True)))
    return int(getattr(result, "rowcount", 0))


class UnknownCommuneError(LookupError):
    pass


@dataclass(frozen=True)
class SearchQuery:
    text: str | None = None
    kinds: Sequence[Kind] = ()
    commune: str | None = None
    radius_km: float | None = None
    contract: str | None = None
    page: int = 1
    per_page: int = 10


@dataclass(frozen=True)
class SearchHit:
    opening: Opening
    distance_km: float | None


@dataclass(frozen=True)
class SearchResult:
    terms: list[str]
    commune: Commune | None
    total: int
    hits: list[SearchHit]


def resolve_commune(territory: Territory, text: str) -> Commune:
    resolution = territory.lookup(text)
    if resolution.status != "found" or resolution.commune is None:
        raise UnknownCommuneError(text)
    return resolution.commune


def search_openings(
    session: Session,
    territory: Territory,
    query: SearchQuery,
    now: datetime | None = None,
) -> SearchResult:
    """Live openings matching every word of the query (as lemma or surface form), those whose
    title holds every word first, then the most recent; within `radius_km` of the commune
    when given."""
    now = now or utcnow()
    terms = query_terms(query.text or "")
    conditions: list[ColumnElement[bool]] = [_active(now)]
    if query.kinds:
        conditions.append(Opening.kind.in_([kind.value for kind in query.kinds]))
    if query.contract:
        conditions.append(Opening.contract_type == query.contract.strip().upper())
    for forms in terms:
        with_term = select(OpeningTerm.opening_id).where(OpeningTerm.term.in_(forms))
        conditions.append(Opening.id.in_(with_term))
    commune = resolve_commune(territory, query.commune) if query.commune else None
    if commune is not None and query.radius_km is None:
        conditions.append(Opening.commune_insee == commune.insee)
    if commune is not None and query.radius_km is not None:
        conditions += _within_radius(commune, query.radius_km)
    in_title = [
        or_(*(Opening.title_lemmas.contains(f" {term} ", autoescape=True) for term in forms))
        for forms in terms
    ]
    order: list[ColumnElement[Any]] = [Opening.created_at.desc(), Opening.id.desc()]
    if in_title:
        order.insert(0, case((and_(*in_title), 0), else_=1))
    offset = (query.page - 1) * query.per_page

    total = session.scalar(select(func.count()).select_from(Opening).where(*conditions)) or 0
    rows = session.scalars(
        select(Opening).where(*conditions).order_by(*order).offset(offset).limit(query.per_page)
    ).all()
    hits = [
        SearchHit(row, _distance(commune, row) if commune is not None else None) for row in rows
    ]
    return SearchResult([forms[0] for forms in terms], commune, total, hits)


def _within_radius(commune: Commune, radius_km: float) -> list[ColumnElement[bool]]:
    """An indexed bounding box, then the distance itself in plain arithmetic, so that the
    database counts, sorts and pages (SQLite has no trigonometry by default). Over a few
    dozen kilometres the flat-earth distance differs from the great-circle one by metres;
    the distance shown is the exact one."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(
        commune.latitude, commune.longitude, radius_km
    )
    km_per_degree = math.radians(EARTH_RADIUS_KM)
    km_per_degree_lon = km_per_degree * math.cos(math.radians(commune.latitude))
    north = (Opening.latitude - commune.latitude) * km_per_degree
    east = (Opening.longitude - commune.longitude) * km_per_degree_lon
    return [
        Opening.latitude.between(min_lat, max_lat),
        Opening.longitude.between(min_lon, max_lon),
        north * north + east * east <= radius_km * radius_km,
    ]


def _distance(commune: Commune, opening: Opening) -> float | None:
    if opening.latitude is None or opening.longitude is None:
        return None
    return round(
        haversine_km(commune.latitude, commune.longitude, opening.latitude, opening.longitude), 1
    )


@dataclass(frozen=True)
class NearbyCount:
    total: int
    # Of which sample openings ("Exemple fictif"): never to be presented as real ones.
    samples: int


def count_nearby(
    session: Session, commune: Commune, radius_km: float, now: datetime | None = None
) -> NearbyCount:
    """Live openings of every kind within `radius_km` of the commune."""
    conditions = [_active(now or utcnow()), *_within_radius(commune, radius_km)]
    total, samples = session.execute(
        select(
            func.count(Opening.id), func.count(Opening.id).filter(Opening.is_sample.is_(True))
        ).where(*conditions)
    ).one()
    return NearbyCount(total=int(total or 0), samples=int(samples or 0))
