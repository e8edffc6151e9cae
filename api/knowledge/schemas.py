"""Knowledge entries as served by the API (see docs/contracts.md) and the search response."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from api.territory.schemas import Commune
from api.territory.schemas import Source as Source  # re-exported: entries cite sources too
from contract.themes import THEMES as THEMES  # re-exported: the contract's, written once
from contract.themes import Theme as Theme

ScopeLevel = Literal["department", "epci", "communes"]
ScopeMatch = Literal["commune", "epci", "department"]


class Scope(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: ScopeLevel
    epci: list[str] = []
    communes: list[str] = []


class Entry(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    theme: str
    title: str
    answer: str
    scope: Scope
    sources: list[Source]
    reviewed: date


class SearchResult(Entry):
    score: float
    scope_match: ScopeMatch


class EntryRef(BaseModel):
    id: str
    theme: str
    title: str


class SearchResponse(BaseModel):
    query: str
    theme: str | None
    commune: Commune | None
    results: list[SearchResult]
    # A runner-up about something else, nearly as good as the first result: worth offering.
    close_call: EntryRef | None = None
    # Entries of the asked theme written for the commune or its communauté (0 without one).
    local_entries: int = 0


class ProblemOut(BaseModel):
    location: str
    severity: Literal["error", "warning"]
    message: str


class ReloadResponse(BaseModel):
    entries: int
    themes: dict[str, int]
    warnings: int
    loaded_at: datetime


class ReloadFailure(BaseModel):
    detail: str
    problems: list[ProblemOut]
