"""What the editors' page shows: the state of the content and the unanswered questions."""

import contextlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from api.content.problems import ContentError, Problem
from api.knowledge.service import KnowledgeService
from api.knowledge.validation import stale_before, stale_months
from api.territory.service import Territory
from api.unanswered import service as unanswered
from contract.themes import THEME_TITLES, THEMES


@dataclass(frozen=True)
class ProblemLine:
    location: str
    message: str
    hint: str
    is_error: bool


@dataclass(frozen=True)
class StaleEntry:
    id: str
    title: str
    reviewed: date
    location: str


@dataclass(frozen=True)
class UnansweredLine:
    text: str
    count: int
    theme: str | None
    communes: list[str]
    last_asked: datetime


@dataclass(frozen=True)
class EditorsView:
    loaded: bool
    loaded_at: datetime | None
    total_entries: int
    themes: list[tuple[str, int]]
    problems: list[ProblemLine]
    refused_at: datetime | None
    refused: list[ProblemLine]
    stale: list[StaleEntry]
    stale_before: date
    stale_months: int
    unanswered: list[UnansweredLine]


def _line(problem: Problem, base: Path) -> ProblemLine:
    return ProblemLine(problem.location(base), problem.message, problem.hint, problem.is_error)


def _shown(path: Path, base: Path) -> str:
    return str(path.relative_to(base) if path.is_relative_to(base) else path)


def _commune_name(territory: Territory | None, insee: str) -> str:
    commune = territory.commune(insee) if territory is not None else None
    return commune.name if commune is not None else insee


def editors_view(knowledge: KnowledgeService, session: Session, today: date) -> EditorsView:
    base = knowledge.directory.parent
    snapshot = knowledge.snapshot if knowledge.loaded else None
    if snapshot is None:
        with contextlib.suppress(ContentError):
            snapshot = knowledge.reload()
    failed = knowledge.failed_reload
    limit = stale_before(today)
    territory = snapshot.territory if snapshot is not None else None
    stale = sorted(
        (
            StaleEntry(
                loaded.entry.id,
                loaded.entry.title,
                loaded.entry.reviewed,
                _shown(loaded.path, base),
            )
            for loaded in (snapshot.index.entries if snapshot is not None else [])
            if loaded.entry.reviewed < limit
        ),
        key=lambda entry: entry.reviewed,
    )
    counts = snapshot.themes() if snapshot is not None else dict.fromkeys(THEMES, 0)
    return EditorsView(
        loaded=snapshot is not None,
        loaded_at=snapshot.loaded_at if snapshot is not None else None,
        total_entries=sum(counts.values()),
        themes=[(THEME_TITLES[theme], counts[theme]) for theme in THEMES],
        problems=[_line(p, base) for p in snapshot.problems] if snapshot is not None else [],
        refused_at=failed.at if failed is not None else None,
        refused=[_line(p, base) for p in failed.problems] if failed is not None else [],
        stale=stale,
        stale_before=limit,
        stale_months=stale_months(),
        unanswered=[
            UnansweredLine(
                text=group.text,
                count=group.count,
                theme=THEME_TITLES.get(group.theme_guess or "", group.theme_guess),
                communes=[_commune_name(territory, insee) for insee in group.communes],
                last_asked=group.last_asked,
            )
            for group in unanswered.grouped(session)
        ],
    )
