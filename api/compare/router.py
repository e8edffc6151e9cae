"""Comparing communes: public data, no token (like the openings search)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from api.compare import service
from api.compare.schemas import Comparison, ComparisonText
from api.compare.text import comparison_text
from api.content.problems import ContentError
from api.core.db import utcnow
from api.deps import SessionDep
from api.knowledge.deps import KnowledgeDep

router = APIRouter(prefix="/v1/compare", tags=["compare"])

CommunesQuery = Annotated[
    list[str],
    Query(
        alias="commune",
        description="2 or 3 times: a name (commune déléguée, any spelling) or an INSEE code",
    ),
]


def _compare(knowledge: KnowledgeDep, session: SessionDep, communes: list[str]) -> Comparison:
    if any(len(name) > 200 for name in communes):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail="A commune name is over 200 characters."
        )
    try:
        snapshot = knowledge.snapshot
    except ContentError as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"Knowledge base unavailable: {len(error.problems)} problem(s) in content.",
        ) from error
    context = service.CompareContext(
        territory=snapshot.territory,
        entries=[loaded.entry for loaded in snapshot.by_id.values()],
        facilities=snapshot.facilities,
        session=session,
        now=utcnow(),
    )
    try:
        return service.compare(context, communes)
    except service.CompareError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from error


@router.get("", response_model=Comparison)
def compare_communes(
    knowledge: KnowledgeDep, session: SessionDep, communes: CommunesQuery
) -> Comparison:
    return _compare(knowledge, session, communes)


@router.get("/text", response_model=ComparisonText)
def compare_communes_as_text(
    knowledge: KnowledgeDep, session: SessionDep, communes: CommunesQuery
) -> ComparisonText:
    """The same comparison, plus the French chat message the bot sends as it is."""
    comparison = _compare(knowledge, session, communes)
    return ComparisonText(text=comparison_text(comparison), comparison=comparison)
