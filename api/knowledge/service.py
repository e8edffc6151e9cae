"""The knowledge served by the API: a validated snapshot of knowledge/, swapped atomically on
reload. A reload with errors keeps the last good snapshot and remembers why it failed."""

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import structlog

from api.compare.facilities import FACILITIES_FILE, Facilities, check_facilities
from api.content.problems import ContentError, Problem
from api.core.config import EncoderName, Settings
from api.knowledge.analyses import analyses_file, warm
from api.knowledge.encoder import Encoder, get_encoder
from api.knowledge.index import (
    KnowledgeIndex,
    Lemmatizer,
    document_terms,
    embedded_texts,
    entry_text_parts,
    get_lemmatizer,
)
from api.knowledge.schemas import THEMES, Entry, EntryRef, SearchResponse, SearchResult
from api.knowledge.validation import LoadedEntry, ValidationReport, validate_directory
from api.knowledge.vectors import cache_file, passage_vectors
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
    # What the comparison of communes cites: hospitals, stations, prices, reference towns.
    facilities: Facilities = field(default_factory=Facilities)

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


def check_content(directory: Path, today: date) -> tuple[Territory, ValidationReport, Facilities]:
    """Territory, entries and facilities of a knowledge directory, with every problem."""
    territory, territory_problems = check_territory(directory / "territory")
    report = validate_directory(directory, territory, today)
    report.problems[:0] = territory_problems
    facilities, facility_problems = check_facilities(
        directory / "territory" / FACILITIES_FILE,
        territory,
        {loaded.entry.id: loaded.entry for loaded in report.entries},
    )
    report.problems += facility_problems
    return territory, report, facilities


@dataclass(frozen=True)
class Readers:
    """The models that turn text into what the index compares; loaded once per process."""

    lemmatizer: Lemmatizer
    encoder: Encoder | None
    cache_dir: Path | None


Fingerprint = tuple[tuple[str, int, int], ...]
_recent: dict[tuple[Path, Fingerprint, date, str], Snapshot] = {}
_RECENT_MAX = 4


def fingerprint(directory: Path) -> Fingerprint:
    """Name, size and modification time of every file: equal means nothing changed."""
    files = []
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            stat = path.stat()
            files.append((str(path.relative_to(directory)), stat.st_size, stat.st_mtime_ns))
    return tuple(files)


def cached_snapshot(directory: Path, readers: Readers, today: date) -> Snapshot:
    """`build_snapshot`, reused while no file changed: every API app and test client of the
    process shares one index instead of validating and indexing the same files again."""
    encoder = readers.encoder.name if readers.encoder else "none"
    key = (directory.resolve(), fingerprint(directory), today, encoder)
    snapshot = _recent.get(key)
    if snapshot is None:
        snapshot = build_snapshot(directory, readers, today)
        if len(_recent) >= _RECENT_MAX:
            _recent.pop(next(iter(_recent)))
        _recent[key] = snapshot
    return snapshot


def build_snapshot(directory: Path, readers: Readers, today: date) -> Snapshot:
    """Load, validate and index `directory`; raises ContentError when anything is wrong."""
    territory, report, facilities = check_content(directory, today)
    if report.errors:
        raise ContentError(report.problems)
    if readers.cache_dir is not None:
        texts = [text for loaded in report.entries for text in entry_text_parts(loaded)]
        warm(readers.lemmatizer, texts, analyses_file(readers.cache_dir, readers.lemmatizer))
    documents = document_terms(readers.lemmatizer, report.entries)
    vectors = None
    if readers.encoder is not None:
        texts = [text for loaded in report.entries for text in embedded_texts(loaded)]
        path = cache_file(readers.cache_dir, readers.encoder) if readers.cache_dir else None
        vectors = passage_vectors(readers.encoder, texts, path)
    index = KnowledgeIndex(report.entries, documents, readers.lemmatizer, readers.encoder, vectors)
    return Snapshot(
        directory=directory,
        territory=territory,
        index=index,
        by_id={loaded.entry.id: loaded for loaded in report.entries},
        problems=report.problems,
        loaded_at=datetime.now(UTC),
        facilities=facilities,
    )


class KnowledgeService:
    def __init__(
        self,
        directory: Path,
        spacy_model: str,
        encoder: EncoderName = "none",
        cache_dir: Path | None = None,
    ) -> None:
        self.directory = directory
        self._spacy_model = spacy_model
        self._encoder = encoder
        self._cache_dir = cache_dir
        self._snapshot: Snapshot | None = None
        self._failed: FailedReload | None = None
        self._reload_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "KnowledgeService":
        return cls(
            settings.knowledge_dir,
            settings.spacy_model,
            settings.knowledge_encoder,
            settings.embedding_cache_dir,
        )

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
                readers = Readers(
                    get_lemmatizer(self._spacy_model), get_encoder(self._encoder), self._cache_dir
                )
                snapshot = cached_snapshot(self.directory, readers, date.today())
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
        self,
        query: str,
        theme: str | None,
        commune: str | None,
        limit: int,
        confident_only: bool = False,
        local_first: bool = False,
        place_carried: bool = False,
        likely_only: bool = False,
        covered_by: str | None = None,
    ) -> SearchResponse:
        snapshot = self.snapshot
        resolved = self.resolve_commune(commune)
        outcome = snapshot.index.search(
            query,
            theme,
            resolved,
            limit,
            confident_only=confident_only,
            local_first=local_first,
            place_carried=place_carried,
            likely_only=likely_only,
            covered_by=covered_by,
        )
        close = outcome.close_call.entry if outcome.close_call else None
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
                for hit in outcome.hits
            ],
            close_call=EntryRef(id=close.id, theme=close.theme, title=close.title)
            if close
            else None,
            local_entries=outcome.local_in_theme,
        )
