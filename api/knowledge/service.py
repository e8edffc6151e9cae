"""The knowledge served by the API: a validated snapshot of knowledge/, swapped atomically on
reload. A reload with errors keeps the last good snapshot and remembers why it failed."""

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import structlog

from api.knowledge.index import KnowledgeIndex, Lemmatizer, document_terms, get_lemmatizer
from api.knowledge.schemas import THEMES, Entry, SearchResponse, SearchResult
from api.knowledge.validation import LoadedEntry, ValidationReport, validate_directory
from api.territory.problems import ContentError, Problem
from api.territory.schemas import Commune
from api.territory.service import Territory, check_territory, set_territory

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """Everything one successful load produced; never mutated once served."""

    directory: Path
    territory: Territory
    index: KnowledgeIndex
    by_id: dict[str, LoadedEntry]
    problems: list[Problem]
    loaded_at: datetime

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_error]

    def themes(self) -> dict[str, int]:
        counts = Counter(loaded.entry.theme for loaded in self.index.entries)
        return {theme: counts.get(theme, 0) for theme in THEMES}


@dataclass
class FailedReload:
    at: datetime
    problems: list[Problem] = field(default_factory=list)


def check_content(directory: Path, today: date) -> tuple[Territory, ValidationReport]:
    """Territory and entries of a knowledge directory, with every problem of both."""
    territory, territory_problems = check_territory(directory / "territory")
    report = validate_directory(directory, territory, today)
    report.problems[:0] = territory_problems
    return territory, report


Fingerprint = tuple[tuple[str, int, int], ...]
_recent: dict[tuple[Path, Fingerprint, date], Snapshot] = {}
_RECENT_MAX = 4


def fingerprint(directory: Path) -> Fingerprint:
    """Name, size and modification time of every file: equal means nothing changed."""
    files = []
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            stat = path.stat()
            files.append((str(path.relative_to(directory)), stat.st_size, stat.st_mtime_ns))
    return tuple(files)


def cached_snapshot(directory: Path, lemmatizer: Lemmatizer, today: date) -> Snapshot:
    """`build_snapshot`, reused while no file changed: every API app and test client of the
    process shares one index instead of validating and indexing the same files again."""
    key = (directory.resolve(), fingerprint(directory), today)
    snapshot = _recent.get(key)
    if snapshot is None:
        snapshot = build_snapshot(directory, lemmatizer, today)
        if len(_recent) >= _RECENT_MAX:
            _recent.pop(next(iter(_recent)))
        _recent[key] = snapshot
    return snapshot


def build_snapshot(directory: Path, lemmatizer: Lemmatizer, today: date) -> Snapshot:
    """Load, validate and index `directory`; raises ContentError when anything is wrong."""
    territory, report = check_content(directory, today)
    if report.errors:
        raise ContentError(report.problems)
    documents = document_terms(lemmatizer, report.entries)
    return Snapshot(
        directory=directory,
        territory=territory,
        index=KnowledgeIndex(report.entries, documents, lemmatizer),
        by_id={loaded.entry.id: loaded for loaded in report.entries},
        problems=report.problems,
        loaded_at=datetime.now(UTC),
    )


class KnowledgeService:
    def __init__(self, directory: Path, spacy_model: str) -> None:
        self.directory = directory
        self._spacy_model = spacy_model
        self._snapshot: Snapshot | None = None
        self._failed: FailedReload | None = None
        self._reload_lock = threading.Lock()

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self.reload()
        assert self._snapshot is not None
        return self._snapshot

    @property
    def loaded(self) -> bool:
        return self._snapshot is not None

    @property
    def failed_reload(self) -> FailedReload | None:
        """The last reload that was refused, if it happened after the last good one."""
        return self._failed

    def reload(self) -> Snapshot:
        """Load the directory again; on errors keep serving the previous snapshot and raise."""
        with self._reload_lock:
            try:
                snapshot = cached_snapshot(
                    self.directory, get_lemmatizer(self._spacy_model), date.today()
                )
            except ContentError as error:
                self._failed = FailedReload(at=datetime.now(UTC), problems=error.problems)
                log.warning(
                    "knowledge_reload_refused",
                    directory=str(self.directory),
                    errors=sum(1 for p in error.problems if p.is_error),
                    problems=[p.render(self.directory.parent) for p in error.problems],
                    serving="previous content" if self._snapshot else "nothing",
                )
                raise
            self._snapshot = snapshot
            self._failed = None
            set_territory(self.directory / "territory", snapshot.territory)
            log.info(
                "knowledge_loaded",
                directory=str(self.directory),
                entries=len(snapshot.by_id),
                warnings=len(snapshot.warnings),
            )
            return snapshot

    def entry(self, entry_id: str) -> Entry | None:
        loaded = self.snapshot.by_id.get(entry_id)
        return None if loaded is None else loaded.entry

    def resolve_commune(self, insee_or_name: str | None) -> Commune | None:
        if not insee_or_name or not insee_or_name.strip():
            return None
        resolution = self.snapshot.territory.lookup(insee_or_name)
        return resolution.commune if resolution.status == "found" else None

    def search(
        self, query: str, theme: str | None, commune: str | None, limit: int
    ) -> SearchResponse:
        snapshot = self.snapshot
        resolved = self.resolve_commune(commune)
        hits = snapshot.index.search(query, theme, resolved, limit)
        return SearchResponse(
            query=query,
            theme=theme,
            commune=resolved,
            results=[
                SearchResult(
                    **hit.entry.entry.model_dump(),
                    score=round(hit.score, 4),
                    scope_match=hit.scope_match,
                )
                for hit in hits
            ],
        )
