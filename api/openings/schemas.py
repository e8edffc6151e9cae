"""Openings as the API returns them (see docs/contracts.md, "Openings")."""

from datetime import datetime

from pydantic import BaseModel

from api.openings.models import Kind, Opening
from api.openings.service import SAMPLE_NOTICE, SearchHit, SearchQuery, SearchResult
from api.territory.schemas import Commune


class Source(BaseModel):
    id: str
    name: str


class OpeningOut(BaseModel):
    id: int
    kind: Kind
    sector: str | None
    title: str
    description: str
    employer_or_seller: str | None
    contact_org: str | None
    commune_insee: str | None
    commune_name: str | None
    latitude: float | None
    longitude: float | None
    distance_km: float | None = None
    contract_type: str | None
    contract_label: str | None
    rome_code: str | None
    salary_text: str | None
    price_text: str | None
    url: str | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None
    source: Source
    partner_ref: str
    is_sample: bool
    sample_notice: str | None

    @classmethod
    def from_opening(cls, opening: Opening, distance_km: float | None = None) -> "OpeningOut":
        return cls(
            id=opening.id,
            kind=Kind(opening.kind),
            sector=opening.sector,
            title=opening.title,
            description=opening.description,
            employer_or_seller=opening.employer_or_seller,
            contact_org=opening.contact_org,
            commune_insee=opening.commune_insee,
            commune_name=opening.commune_name,
            latitude=opening.latitude,
            longitude=opening.longitude,
            distance_km=distance_km,
            contract_type=opening.contract_type,
            contract_label=opening.contract_label,
            rome_code=opening.rome_code,
            salary_text=opening.salary_text,
            price_text=opening.price_text,
            url=opening.url,
            created_at=opening.created_at,
            updated_at=opening.updated_at,
            expires_at=opening.expires_at,
            source=Source(id=opening.partner.id, name=opening.partner.name),
            partner_ref=opening.partner_ref,
            is_sample=opening.is_sample,
            sample_notice=SAMPLE_NOTICE if opening.is_sample else None,
        )

    @classmethod
    def from_hit(cls, hit: SearchHit) -> "OpeningOut":
        return cls.from_opening(hit.opening, hit.distance_km)


class OpeningSearchResponse(BaseModel):
    query: str | None
    terms: list[str]
    kinds: list[Kind]
    commune: Commune | None
    radius_km: float | None
    contract: str | None
    total: int
    page: int
    per_page: int
    results: list[OpeningOut]

    @classmethod
    def build(cls, query: SearchQuery, result: SearchResult) -> "OpeningSearchResponse":
        return cls(
            query=query.text,
            terms=result.terms,
            kinds=list(query.kinds),
            commune=result.commune,
            radius_km=query.radius_km,
            contract=query.contract,
            total=result.total,
            page=query.page,
            per_page=query.per_page,
            results=[OpeningOut.from_hit(hit) for hit in result.hits],
        )
