"""Attaching a group's questions to an existing entry: the exact `questions:` lines to add to
its file, written into the file when the knowledge folder is writable, then validated and
reloaded; a refused reload puts the file back as it was."""

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from api.content.problems import ContentError, Problem
from api.knowledge.service import KnowledgeService
from api.review.service import ReviewError
from api.territory.normalize import fold

_KEY = re.compile(r"^questions\s*:\s*(?P<rest>.*)$")
_ITEM = re.compile(r"^(?P<indent>\s*)-\s")
DEFAULT_INDENT = "  "


@dataclass(frozen=True)
class AttachPlan:
    entry_id: str
    title: str
    path: Path
    # The lines to add, as they will read in the file (with "questions:" when it is missing).
    lines: list[str]
    # Where they go: the index in the file's lines, or None when the list cannot be found
    # (written another way): then the editor adds them by hand.
    insert_at: int | None
    writable: bool


def _scalar(question: str) -> str:
    """The question as a YAML list item, quoted only when YAML needs it."""
    return yaml.safe_dump([question], allow_unicode=True, width=10**6).strip()


def plan(
    knowledge: KnowledgeService, entry_id: str, questions: list[str], *, allowed: bool = True
) -> AttachPlan:
    """`allowed`: the settings let this server write knowledge files."""
    loaded = knowledge.snapshot.by_id.get(entry_id)
    if loaded is None:
        raise ReviewError(f"La fiche « {entry_id} » n’existe pas dans les fiches en service.")
    known = {fold(question).strip() for question in loaded.questions}
    new = [q for q in dict.fromkeys(q.strip() for q in questions) if fold(q) not in known]
    lines = loaded.path.read_text(encoding="utf-8").splitlines()
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    insert_at: int | None = None
    indent = DEFAULT_INDENT
    header: list[str] = []
    if end is not None:
        key = next((i for i in range(1, end) if _KEY.match(lines[i])), None)
        if key is None:
            insert_at, header = end, ["questions:"]
        elif not _KEY.match(lines[key]).group("rest").strip():  # type: ignore[union-attr]
            insert_at = key + 1
            while insert_at < end and (
                _ITEM.match(lines[insert_at]) or lines[insert_at].startswith((" ", "\t"))
            ):
                item = _ITEM.match(lines[insert_at])
                if item:
                    indent = item.group("indent")
                insert_at += 1
    body = [f"{indent}{_scalar(question)}" for question in new]
    writable = allowed and insert_at is not None and os.access(loaded.path, os.W_OK) and bool(new)
    return AttachPlan(
        entry_id=entry_id,
        title=loaded.entry.title,
        path=loaded.path,
        lines=[*header, *body] if body else [],
        insert_at=insert_at,
        writable=writable,
    )


class AttachRefused(ReviewError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("La fiche modifiée n’est pas valide : elle a été remise comme avant.")
        self.problems = problems


def write(knowledge: KnowledgeService, attach: AttachPlan) -> None:
    """Adds the lines, then reloads; on any validation error the file is put back."""
    if not attach.writable or attach.insert_at is None:
        raise ReviewError(
            "Le dossier des fiches n’est pas modifiable depuis cette page : "
            "ajoutez les lignes ci-dessus à la main."
        )
    original = attach.path.read_text(encoding="utf-8")
    lines = original.splitlines()
    lines[attach.insert_at : attach.insert_at] = attach.lines
    attach.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        knowledge.reload()
    except ContentError as refused:
        attach.path.write_text(original, encoding="utf-8")
        # Broken before this change too: the editors' page says why.
        with contextlib.suppress(ContentError):
            knowledge.reload()
        raise AttachRefused(refused.problems) from None
