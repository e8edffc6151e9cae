"""Checks the NLU training examples beyond what `rasa data validate` looks at.

Run by `make bot-validate`. Exits 1 with one line per problem (file, line, what to fix):
- an example written twice (after lower-casing and squeezing spaces);
- two examples of an intent that differ only by a place name (the place is masked),
  which teaches the model nothing and inflates its evaluation;
- an entity name that the domain does not declare;
- a theme intent with fewer than MIN_THEME_EXAMPLES examples;
- an example that is also in the held-out sets tests/nlu/ (they must stay unseen).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from contract.themes import THEME_INTENTS

ROOT = Path(__file__).resolve().parent.parent
MIN_THEME_EXAMPLES = 40
# [text](entity) or [text]{"entity": "name", ...}
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]*\}))")
JSON_ENTITY = re.compile(r'"entity"\s*:\s*"(?P<name>[^"]+)"')


@dataclass(frozen=True)
class Example:
    intent: str
    text: str
    path: Path
    line: int


def _entity_name(match: re.Match[str]) -> str:
    if match.group("short"):
        return match.group("short").split(":")[0]
    found = JSON_ENTITY.search(match.group("json") or "")
    return found.group("name") if found else ""


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    words = re.sub(r"[\s\W]+", " ", folded).strip()
    # "???" and "@+" are examples too: keep their symbols when nothing else is left.
    return words or re.sub(r"\s+", " ", folded).strip()


def plain_text(example: str) -> str:
    return _normalise(ANNOTATION.sub(lambda m: m.group("text"), example))


def without_places(example: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return "__place__" if _entity_name(match) == "commune" else match.group("text")

    return _normalise(ANNOTATION.sub(replace, example))


def read_examples(path: Path) -> list[Example]:
    lines = path.read_text(encoding="utf-8").splitlines()
    document = yaml.safe_load("\n".join(lines)) or {}
    examples: list[Example] = []
    for block in document.get("nlu", []):
        intent = block.get("intent")
        if not intent:
            continue
        block = re.compile(rf"^- intent: {re.escape(intent)}\s*$")
        header = next(i for i, text in enumerate(lines) if block.match(text))
        for number in range(header + 1, len(lines)):
            text = lines[number]
            if text.startswith("- "):
                break
            item = re.match(r"^\s+- (.+)$", text)
            if item:
                examples.append(Example(intent, item.group(1), path, number + 1))
    return examples


def declared_entities() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {next(iter(e)) if isinstance(e, dict) else e for e in domain.get("entities", [])}


def check(training: list[Path], held_out: list[Path]) -> list[str]:
    problems: list[str] = []
    examples = [e for path in training for e in read_examples(path)]
    entities = declared_entities()
    seen: dict[str, Example] = {}
    masked: dict[tuple[str, str], Example] = {}
    counts: dict[str, int] = {}
    for example in examples:
        where = f"{example.path.relative_to(ROOT)}:{example.line}"
        counts[example.intent] = counts.get(example.intent, 0) + 1
        for match in ANNOTATION.finditer(example.text):
            if _entity_name(match) not in entities:
                problems.append(
                    f"{where}: entity '{_entity_name(match)}' is not in domain.yml; "
                    f"use one of {', '.join(sorted(entities))}."
                )
        key = plain_text(example.text)
        if key in seen:
            first = seen[key]
            problems.append(
                f"{where}: same example as {first.path.relative_to(ROOT)}:{first.line} "
                f"({first.intent}); remove one."
            )
            continue
        seen[key] = example
        shape = (example.intent, without_places(example.text))
        if shape in masked and "__place__" in shape[1]:
            first = masked[shape]
            problems.append(
                f"{where}: differs from line {first.line} only by the place name; "
                "rewrite it as another visitor would say it."
            )
        masked.setdefault(shape, example)
    for intent in sorted(THEME_INTENTS):
        if counts.get(intent, 0) < MIN_THEME_EXAMPLES:
            problems.append(
                f"{intent}: {counts.get(intent, 0)} examples, at least {MIN_THEME_EXAMPLES} needed."
            )
    for path in held_out:
        for example in read_examples(path):
            training_copy = seen.get(plain_text(example.text))
            if training_copy:
                problems.append(
                    f"{training_copy.path.relative_to(ROOT)}:{training_copy.line}: "
                    "also in the held-out set "
                    f"{path.relative_to(ROOT)}:{example.line}; held-out messages must stay unseen."
                )
    return problems


def main() -> int:
    training = sorted((ROOT / "bot" / "data" / "nlu").glob("*.yml"))
    held_out = sorted((ROOT / "tests" / "nlu").glob("*.yml"))
    problems = check(training, held_out)
    for problem in problems:
        print(problem)
    count = sum(len(read_examples(p)) for p in training)
    if problems:
        print(f"{len(problems)} problem(s) in the NLU examples.")
        return 1
    print(f"NLU examples: {count} checked, no problem.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
