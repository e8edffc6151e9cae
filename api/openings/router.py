"""Search of openings for the bot and the website (public data, no token)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from api.deps import SessionDep
from api.openings import service
from api.openings.models import Kind
from api.openings.schemas import OpeningOut, OpeningSearchResponse
from api.territory.service import Territory, get_territory

router = APIRouter(prefix="/v1/openings", tags=["openings"])

TerritoryDep = Annotated[Territory, Depends(get_territory)]
MAX_PER_PAGE = 50
# The largest id the column holds (32-bit on PostgreSQL): a larger one is no opening.
MAX_OPENING_ID = 2**31 - 1


@router.get("", response_model=OpeningSearchResponse)
def search_openings(
    session: SessionDep,
    territory: TerritoryDep,
    q: Annotated[str | None, Query(max_length=200, description="keywords, French")] = None,
    kind: Annotated[list[Kind] | None, Query(description="repeat to allow several")] = None,
    commune: Annotated[
        str | None, Query(max_length=200, description="INSEE code or name of a Lot commune")
    ] = None,
    radius_km: Annotated[float | None, Query(gt=0, le=200)] = None,
    contract: Annotated[str | None, Query(max_length=16, description="CDI, CDD, MIS...")] = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 10,
) -> OpeningSearchResponse:
    if radius_km is not None and not commune:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail="radius_km needs a commune."
        )
    query = service.SearchQuery(
        text=q,
        kinds=tuple(kind or ()),
        commune=commune,
        radius_km=radius_km,
        contract=contract,
        page=page,
        per_page=per_page,
    )
    try:
        result = service.search_openings(session, territory, query)
    except service.UnknownCommuneError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"Not a commune of the Lot: {error}. Resolve it with /v1/communes/resolve.",
        ) from error
    return OpeningSearchResponse.build(query, result)


@router.get("/{opening_id}", response_model=OpeningOut)
def get_opening(session: SessionDep, opening_id: int) -> OpeningOut:
    opening = service.get_opening(session, opening_id) if 0 < opening_id <= MAX_OPENING_ID else None
    if opening is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such opening.")
    return OpeningOut.from_opening(opening)
