"""`python -m scripts.tune_ranking`: grid search of the knowledge ranking weights, on the
tuning and development splits of tests/answers/ only.

Replays, in this process, what the assistant does with a first message on a theme (the
first questions, and the first turns of the conversations): the NLU's intent and place (as
Rasa read them during the last `make eval-answers`, saved in
reports/answers-tune-parses.json), the place cut out of the words, then the search. The
reported split is never read here; its figure comes from `make eval-answers` alone.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from api.core.config import get_settings
from api.knowledge.index import DEFAULT_RANKING, KnowledgeIndex, Ranking, Signals
from api.knowledge.schemas import THEMES
from api.knowledge.service import KnowledgeService
from api.territory.schemas import Commune
from api.territory.service import Territory
from contract.places import without_place
from scripts.eval_answers import PARSES_PATH, load_items

GRID: dict[str, tuple[float, ...]] = {
    "lexical": (0.25, 0.5),
    "semantic": (0.5, 1.0),
    "semantic_mean": (0.0, 0.5),
    "characters": (0.5, 1.0, 1.5),
    "theme": (0.2, 0.3),
    "commune": (0.35, 0.65, 1.0),
    "epci": (0.2, 0.3, 0.5),
    "local_without_commune": (0.0, -0.1, -0.2),
    "local_in_department": (-0.1, -0.2, -0.3, -0.4, -0.6),
}


@dataclass(frozen=True)
class Case:
    text: str
    expect: frozenset[str]
    theme: str | None
    commune: Commune | None
    signals: Signals


def _commune(territory: Territory, parse: dict[str, Any]) -> Commune | None:
    for entity in parse.get("entities") or []:
        if entity.get("entity") == "commune":
            found = territory.lookup(str(entity["value"]))
            return found.commune if found.status == "found" else None
    return None


def load_cases(
    index: KnowledgeIndex, territory: Territory, splits: frozenset[str] = frozenset({"tune"})
) -> list[Case]:
    parses: dict[str, Any] = json.loads(PARSES_PATH.read_text())
    cases = []
    for item in load_items():
        turn = item.turns[0]
        parse = parses.get(item.key)
        if item.split not in splits or not turn.expect or parse is None:
            continue
        intent = str((parse.get("intent") or {}).get("name") or "")
        theme = intent.removeprefix("ask_")
        if theme not in THEMES:
            continue  # not answered from the knowledge base: nothing to rank
        query = without_place(turn.text, parse, keep_subject=True)
        cases.append(
            Case(
                turn.text,
                frozenset(turn.expect),
                theme,
                _commune(territory, parse),
                index.signals(query),
            )
        )
    return cases


def accuracy(index: KnowledgeIndex, cases: list[Case], ranking: Ranking) -> float:
    right = 0
    for case in cases:
        _, scores, eligible = index.scores(case.signals, case.theme, case.commune, ranking)
        candidates = np.flatnonzero(eligible)
        best = int(candidates[int(np.argmax(scores[candidates]))])
        right += index.entries[best].entry.id in case.expect
    return right / len(cases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.tune_ranking", description=__doc__)
    parser.add_argument(
        "--split",
        choices=("tune", "dev", "both"),
        default="both",
        help="which tuning questions to replay (the reported split is never read)",
    )
    args = parser.parse_args(argv)
    if not PARSES_PATH.exists():
        print(f"{PARSES_PATH} is missing: run `make eval-answers` first.", file=sys.stderr)
        return 2
    snapshot = KnowledgeService.from_settings(get_settings()).reload()
    splits = frozenset({"tune", "dev"} if args.split == "both" else {args.split})
    cases = load_cases(snapshot.index, snapshot.territory, splits)
    print(f"{len(cases)} questions of the {args.split} split(s) answered from the knowledge base")
    print(f"current weights: {accuracy(snapshot.index, cases, DEFAULT_RANKING):.3f}")
    names = list(GRID)
    results = []
    for values in itertools.product(*(GRID[name] for name in names)):
        ranking = replace(DEFAULT_RANKING, **dict(zip(names, values, strict=True)))
        results.append((accuracy(snapshot.index, cases, ranking), values))
    results.sort(key=lambda row: -row[0])
    for score, values in results[:10]:
        print(f"{score:.3f}  " + ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True)))
    kept = {field.name for field in fields(Ranking)} - set(names)
    print(f"(not searched here: {', '.join(sorted(kept))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
