from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from api.territory import answers
from api.territory.schemas import Resolution, TerritoryAnswer
from api.territory.service import Territory, get_territory

router = APIRouter(prefix="/v1/communes", tags=["territory"])
answers_router = APIRouter(prefix="/v1/territory", tags=["territory"])

TerritoryDep = Annotated[Territory, Depends(get_territory)]


@router.get("/resolve", response_model=Resolution)
def resolve_commune(
    territory: TerritoryDep,
    name: Annotated[str, Query(min_length=1, max_length=200)],
) -> Resolution:
    return territory.resolve(name)


@answers_router.get("/answer", response_model=TerritoryAnswer)
def answer_territory_question(
    territory: TerritoryDep,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    commune: Annotated[str | None, Query(max_length=200)] = None,
    previous: Annotated[str | None, Query(max_length=500)] = None,
) -> TerritoryAnswer:
    """A question about the département or one of its communes, answered from the territory
    data; `commune` is the visitor's commune in the conversation (INSEE code or name),
    `previous` the message the visitor typed before this one."""
    if not q.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="The question is empty.")
    return answers.answer(
        territory, q, commune.strip() if commune else None, previous.strip() if previous else None
    )
