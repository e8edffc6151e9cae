"""Batch imports of openings: JSON files in France Travail's shape, CSV files in the partner
template, and the France Travail connector all go through `Importer`.

Good rows are kept even when others are rejected; each batch is one transaction; a full import
expires the partner's openings that the source no longer lists.
"""

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api.core.db import utcnow
from api.openings import service
from api.openings.records import (
    REQUIRED_FIELDS,
    TEMPLATE_FIELDS,
    OpeningRecord,
    RecordError,
    field_key,
    record_from_france_travail,
    record_from_partner_fields,
)
from api.territory.service import Territory

DEFAULT_BATCH_SIZE = 500


class ImportFileError(Exception):
    """The whole file is unusable; the message is French, for the partner."""


@dataclass(frozen=True)
class Rejection:
    location: str
    ref: str | None
    reasons: list[str]

    def render(self) -> str:
        where = f"{self.location} (référence {self.ref})" if self.ref else self.location
        return f"{where} : {' ; '.join(self.reasons)}"


@dataclass
class ImportReport:
    partner_id: str
    partner_name: str
    source: str
    full: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    expired: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [
            f"Import « {self.source} » pour {self.partner_name} ({self.partner_id}) :",
            f"  créées : {self.created}",
            f"  mises à jour : {self.updated}",
            f"  inchangées : {self.unchanged}",
            f"  expirées : {self.expired}" + ("" if self.full else " (import partiel)"),
            f"  rejetées : {len(self.rejected)}",
        ]
        lines.extend(f"    - {rejection.render()}" for rejection in self.rejected)
        lines.extend(f"  attention : {warning}" for warning in self.warnings)
        return "\n".join(lines)


class Importer:
    """Collects records one by one and writes them in batches of `batch_size`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        partner_id: str,
        source: str,
        *,
        full: bool = False,
        is_sample: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
        now: datetime | None = None,
    ) -> None:
        with sessions() as session:
            partner = service.get_partner(session, partner_id)
            if partner is None:
                raise ImportFileError(
                    f"partenaire « {partner_id} » inconnu : créez-le d'abord avec "
                    "« python -m api.cli create-partner-key --partner "
                    f'{partner_id} --name "Nom affiché" »'
                )
            partner_name = partner.name
        self._sessions = sessions
        self._is_sample = is_sample
        self._batch_size = batch_size
        self._now = now or utcnow()
        self._batch: list[OpeningRecord] = []
        self._seen: dict[str, str] = {}
        self.report = ImportReport(partner_id, partner_name, source, full)

    def add(self, location: str, parse: Callable[[], OpeningRecord]) -> None:
        try:
            record = parse()
        except RecordError as error:
            self.reject(location, error.ref, error.reasons)
            return
        first = self._seen.get(record.partner_ref)
        if first is not None:
            reason = f"référence en double (déjà vue : {first}) ; seule la première est gardée"
            self.report.rejected.append(Rejection(location, record.partner_ref, [reason]))
            return
        self._seen[record.partner_ref] = location
        self._batch.append(record)
        if len(self._batch) >= self._batch_size:
            self._flush()

    def reject(self, location: str, ref: str | None, reasons: list[str]) -> None:
        # The partner still lists a rejected opening: a full import must not expire it.
        if ref is not None:
            self._seen.setdefault(ref, location)
        self.report.rejected.append(Rejection(location, ref, reasons))

    def _flush(self) -> None:
        if not self._batch:
            return
        with self._sessions() as session, session.begin():
            statuses = service.upsert_records(
                session,
                self.report.partner_id,
                self._batch,
                is_sample=self._is_sample,
                now=self._now,
            )
        for status in statuses:
            if status is service.UpsertStatus.CREATED:
                self.report.created += 1
            elif status is service.UpsertStatus.UPDATED:
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        self._batch = []

    def finish(self, skip_expiry_reason: str | None = None) -> ImportReport:
        """Write what is left; for a full import, expire what the source no longer lists,
        unless `skip_expiry_reason` says why the source cannot be trusted to be complete."""
        self._flush()
        if self.report.full and skip_expiry_reason is not None:
            self.report.warnings.append(f"aucune offre expirée : {skip_expiry_reason}")
        elif self.report.full:
            with self._sessions() as session, session.begin():
                self.report.expired = service.expire_missing(
                    session, self.report.partner_id, set(self._seen), self._now
                )
        return self.report


# --- files ------------------------------------------------------------------------------------


def import_file(
    sessions: sessionmaker[Session],
    territory: Territory,
    partner_id: str,
    path: Path,
    *,
    full: bool = False,
    is_sample: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: datetime | None = None,
) -> ImportReport:
    """Import a `.json` (France Travail shape) or `.csv` (partner template) file."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise ImportFileError(
            f"format de « {path.name} » non reconnu : le fichier doit finir par .json ou .csv"
        )
    if not path.is_file():
        raise ImportFileError(f"fichier « {path} » introuvable")
    data = path.read_bytes()
    # Read the whole file before writing anything: an unreadable file changes nothing.
    if suffix == ".json":
        items = list(_json_items(data))
        importer = Importer(
            sessions, partner_id, path.name, full=full, is_sample=is_sample,
            batch_size=batch_size, now=now,
        )  # fmt: skip
        for index, item in items:
            importer.add(_json_location(index, item), _ft_parser(item, territory))
        return importer.finish()
    warnings, rows = read_csv(data)
    importer = Importer(
        sessions, partner_id, path.name, full=full, is_sample=is_sample,
        batch_size=batch_size, now=now,
    )  # fmt: skip
    importer.report.warnings.extend(warnings)
    for line, row, problem in rows:
        if problem is not None:
            importer.reject(f"ligne {line}", row.get("reference") or None, [problem])
            continue
        importer.add(f"ligne {line}", _partner_parser(row, territory))
    return importer.finish()


def _ft_parser(item: Any, territory: Territory) -> Callable[[], OpeningRecord]:
    return lambda: record_from_france_travail(item, territory)


def _partner_parser(row: dict[str, str], territory: Territory) -> Callable[[], OpeningRecord]:
    return lambda: record_from_partner_fields(row, territory)


def _json_location(index: int, item: Any) -> str:
    return f"offre n° {index + 1}"


def _json_items(data: bytes) -> Iterator[tuple[int, Any]]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ImportFileError("fichier JSON illisible : il doit être encodé en UTF-8") from error
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"fichier JSON illisible, ligne {error.lineno}, colonne {error.colno} : {error.msg}"
        ) from error
    if isinstance(document, dict) and isinstance(document.get("resultats"), list):
        items = document["resultats"]
    elif isinstance(document, list):
        items = document
    else:
        raise ImportFileError(
            'le fichier JSON doit contenir un objet { "resultats": [ ... ] } ou une liste d\'offres'
        )
    yield from enumerate(items)


def _decode(data: bytes) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        # Excel's "CSV (séparateur : point-virgule)" on Windows writes Windows-1252.
        return data.decode("cp1252", errors="replace"), [
            "fichier lu en Windows-1252 : enregistrez-le de préférence en « CSV UTF-8 »"
        ]


def read_csv(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str], str | None]]]:
    """(warnings, rows): each row as (first line number, template fields, problem or None)."""
    text, warnings = _decode(data)
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    if not header_line:
        raise ImportFileError("le fichier CSV est vide")
    delimiter = max((";", ",", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    while not any(cell.strip() for cell in header):
        try:
            header = next(reader)
        except StopIteration as error:
            raise ImportFileError("le fichier CSV est vide") from error
    keys = [field_key(cell) for cell in header]
    missing = [name for name in REQUIRED_FIELDS if name not in keys]
    if missing:
        raise ImportFileError(
            "colonne(s) obligatoire(s) absente(s) de la première ligne : "
            + ", ".join(missing)
            + f" (séparateur lu : « {delimiter} » ; colonnes trouvées : {', '.join(header)})"
        )
    unknown = [cell for cell, key in zip(header, keys, strict=True) if key not in TEMPLATE_FIELDS]
    if unknown:
        warnings.append("colonne(s) ignorée(s) car inconnue(s) : " + ", ".join(unknown))
    rows: list[tuple[int, dict[str, str], str | None]] = []
    previous_end = reader.line_num
    for cells in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row = {key: cell for key, cell in zip(keys, cells, strict=False) if key in TEMPLATE_FIELDS}
        problem = None
        if len(cells) > len(keys) and any(cell.strip() for cell in cells[len(keys) :]):
            problem = (
                f"{len(cells)} valeurs pour {len(keys)} colonnes : vérifiez le séparateur "
                f"« {delimiter} » et les guillemets autour des textes qui le contiennent"
            )
        rows.append((line, row, problem))
    return warnings, rows
