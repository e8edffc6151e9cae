from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.territory.schemas import Resolution
from api.territory.service import Territory, get_territory

router = APIRouter(prefix="/v1/communes", tags=["territory"])

TerritoryDep = Annotated[Territory, Depends(get_territory)]


@router.get("/resolve", response_model=Resolution)
def resolve_commune(
    territory: TerritoryDep,
    name: Annotated[str, Query(min_length=1, max_length=200)],
) -> Resolution:
    return territory.resolve(name)
