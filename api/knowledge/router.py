from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import JSONResponse

from api.content.problems import ContentError, Problem
from api.deps import AdminAuth
from api.knowledge.deps import KnowledgeDep
from api.knowledge.schemas import (
    Entry,
    ProblemOut,
    ReloadFailure,
    ReloadResponse,
    SearchResponse,
    Theme,
)
from api.knowledge.service import KnowledgeService

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"])


def _unavailable(error: ContentError) -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        detail=f"Knowledge base unavailable: {len(error.problems)} problem(s) in content files.",
    )


def _problem_out(problem: Problem, base: Path) -> ProblemOut:
    return ProblemOut(
        location=problem.location(base),
        severity=problem.severity,
        message=f"{problem.message} — {problem.hint}",
    )


@router.get("/search", response_model=SearchResponse)
def search(
    knowledge: KnowledgeDep,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    theme: Theme | None = None,
    commune: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 3,
    confident_only: bool = False,
    local_first: bool = False,
    place_carried: bool = False,
    likely_only: bool = False,
    covered_by: Annotated[str | None, Query(max_length=200)] = None,
) -> SearchResponse:
    try:
        return knowledge.search(
            q,
            theme,
            commune,
            limit,
            confident_only,
            local_first,
            place_carried=place_carried,
            likely_only=likely_only,
            covered_by=covered_by,
        )
    except ContentError as error:
        raise _unavailable(error) from error


@router.get("/entries/{entry_id}", response_model=Entry)
def get_entry(knowledge: KnowledgeDep, entry_id: str) -> Entry:
    try:
        entry = knowledge.entry(entry_id)
    except ContentError as error:
        raise _unavailable(error) from error
    if entry is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"No knowledge entry '{entry_id}'.")
    return entry


@router.post(
    "/reload",
    response_model=ReloadResponse,
    dependencies=[AdminAuth],
    responses={422: {"model": ReloadFailure}},
)
def reload(knowledge: KnowledgeDep) -> ReloadResponse | JSONResponse:
    try:
        snapshot = knowledge.reload()
    except ContentError as error:
        return _refused(knowledge, error)
    return ReloadResponse(
        entries=len(snapshot.by_id),
        themes=snapshot.themes(),
        warnings=len(snapshot.warnings),
        loaded_at=snapshot.loaded_at,
    )


def _refused(knowledge: KnowledgeService, error: ContentError) -> JSONResponse:
    base = knowledge.directory.parent
    serving = "the previous content is still served" if knowledge.loaded else "nothing is served"
    failure = ReloadFailure(
        detail=f"Reload refused: the content has errors; {serving}.",
        problems=[_problem_out(problem, base) for problem in error.problems],
    )
    return JSONResponse(failure.model_dump(), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
