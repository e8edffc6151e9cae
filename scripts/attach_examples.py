"""`python -m scripts.attach_examples GROUP...`: the visitors' questions of tuning groups of
tests/answers/ become example questions (`questions:`) of the entry they expect, as the review
inbox attaches a visitor's question to an entry (`api.review.attach`).

Groups: `tune` (the tuning split) and development batches by file name (`dev`, `dev2`...).
The reported split and `HELD_OUT` are refused: they measure what was never seen. Each first
question is attached; a later turn of a conversation only when it has `MIN_LATER_WORDS` words
or more and, for an entry written for a place, names that place: "et là-bas, ça recrute ?"
means Figeac only in its conversation.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict

from api.core.config import get_settings
from api.knowledge.language import is_english
from api.knowledge.service import KnowledgeService, Snapshot
from api.review.attach import plan
from api.territory.normalize import fold
from scripts.eval_answers import Item, load_items

HELD_OUT = frozenset({"report", "dev9"})
MIN_LATER_WORDS = 6
_BATCH = re.compile(r"dev/\w+/(?P<batch>dev\d*)\.yml")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def wording(text: str) -> str:
    """The words of `text`, accents, case and punctuation aside: two questions the same."""
    return f" {_NON_WORD.sub(' ', fold(text)).strip()} "


def place_names(snapshot: Snapshot) -> dict[str, list[str]]:
    """Per entry written for places, the names that say which: its communes, or its
    communautés with their communes."""
    territory = snapshot.territory
    names: dict[str, list[str]] = {}
    for entry_id, loaded in snapshot.by_id.items():
        scope = loaded.entry.scope
        found = [c.name for insee in scope.communes if (c := territory.commune(insee))]
        for siren in scope.epci:
            epci = territory.epci(siren)
            found += [epci.name] if epci else []
            found += [c.name for c in territory.epci_communes(siren)]
        if found:
            names[entry_id] = [wording(name) for name in found]
    return names


def group(item: Item) -> str:
    """`tune`, `report` or the development batch's name (`dev`, `dev2`...)."""
    batch = _BATCH.search(item.source)
    return batch.group("batch") if batch else item.split


def _stands_alone(text: str, names: list[str] | None) -> bool:
    """A later turn says enough without its conversation."""
    words = wording(text)
    long_enough = len(text.split()) >= MIN_LATER_WORDS
    return long_enough and (names is None or any(name in words for name in names))


def examples(groups: set[str], places: dict[str, list[str]]) -> dict[str, list[str]]:
    """The groups' questions by the first entry each expects."""
    items = load_items()
    held_out = {
        wording(turn.text) for item in items if group(item) in HELD_OUT for turn in item.turns
    }
    found: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if group(item) not in groups:
            continue
        for number, turn in enumerate(item.turns):
            if not turn.expect:
                continue
            entry_id = turn.expect[0]
            if wording(turn.text) in held_out:
                continue  # the same words in a held-out question: it would be seen
            if is_english(turn.text):
                # English examples drew every English question to their entries, whatever
                # it asked; English is matched by meaning against the French texts.
                continue
            if number and not _stands_alone(turn.text, places.get(entry_id)):
                continue
            found[entry_id].append(" ".join(turn.text.split()))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.attach_examples", description=__doc__)
    parser.add_argument("groups", nargs="+", help="tune, dev, dev2, ...")
    args = parser.parse_args(argv)
    groups = set(args.groups)
    if groups & HELD_OUT:
        print(f"held out, never attached: {', '.join(sorted(groups & HELD_OUT))}", file=sys.stderr)
        return 2
    knowledge = KnowledgeService.from_settings(get_settings())
    snapshot = knowledge.reload()
    added = 0
    for entry_id, questions in examples(groups, place_names(snapshot)).items():
        attach = plan(knowledge, entry_id, questions)
        if attach.insert_at is None:
            print(f"{attach.path}: no `questions:` list found, skipped", file=sys.stderr)
            continue
        # Written here rather than with `api.review.attach.write`, which reloads the whole
        # knowledge after each entry: `make validate` checks them all once.
        lines = attach.path.read_text(encoding="utf-8").splitlines()
        lines[attach.insert_at : attach.insert_at] = attach.lines
        attach.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        added += len(attach.lines)
    print(f"{added} questions attached; check them with `make validate`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
