"""`make eval-answers`: does the assistant answer visitors' questions with the right entry?

Sends every question of tests/answers/questions/ as the first message of a new conversation,
and every conversation of tests/answers/conversations/ turn by turn, through the REST channel
of the real stack (started here on free ports, or `--rasa-url` of a running one). A reply is
judged by what the visitor sees: the knowledge entry whose answer it shows first, the
territory facts it contains, or the out-of-scope reply. Prints top-1 accuracy per split and
per theme with every miss, and writes reports/answers.json.

Each question and conversation belongs to the tuning split or to the reported split by a
hash of its text, so nobody chooses; ranking weights are tuned on the first only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import yaml

from api.knowledge.validation import validate_directory
from api.territory.service import load_territory
from contract.places import OUTSIDE_LOT_DECLINE
from scripts.stack import ROOT, Stack

ANSWERS_DIR = ROOT / "tests" / "answers"
REPORT_PATH = ROOT / "reports" / "answers.json"
# The NLU's reading of each tuning and development question, for scripts/tune_ranking.py.
PARSES_PATH = ROOT / "reports" / "answers-tune-parses.json"
OUT_OF_SCOPE = "out_of_scope"
# "dev": tests/answers/dev/, written later by someone else again, always tuning, never reported.
SPLITS = ("tune", "report", "dev")
DEV_DIR = "dev"
# Share of items in the tuning split.
TUNE_SHARE = 0.4
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DIGIT_GROUPS = re.compile(r"(?<=\d)[\s\u00a0\u202f](?=\d{3}\b)")


class EvalFileError(ValueError):
    pass


@dataclass
class Turn:
    text: str
    expect: list[str] | None = None
    expect_text: list[str] = field(default_factory=list)
    out_of_scope: bool = False
    missing: str | None = None


@dataclass
class Item:
    """A first question (one turn) or a conversation (several)."""

    key: str
    kind: str
    theme: str
    turns: list[Turn]
    source: str
    split: str = ""

    def __post_init__(self) -> None:
        if self.split:
            return
        digest = int(hashlib.sha256(self.key.encode()).hexdigest()[:8], 16)
        self.split = "tune" if digest / 0xFFFFFFFF < TUNE_SHARE else "report"


@dataclass
class Judged:
    item: str
    kind: str
    split: str
    theme: str
    turn: int
    text: str
    correct: bool
    expected: str
    got: str
    missing: str | None


def _turn(raw: Any, where: str) -> Turn:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"]:
        raise EvalFileError(f"{where}: each item needs a non-empty `text`")
    expect = raw.get("expect")
    texts = raw.get("expect_text") or []
    if expect == OUT_OF_SCOPE:
        return Turn(raw["text"], out_of_scope=True)
    if expect is None and not texts:
        raise EvalFileError(f"{where}: give `expect` (ids or out_of_scope) or `expect_text`")
    if expect is not None and not (
        isinstance(expect, list) and all(isinstance(x, str) for x in expect)
    ):
        raise EvalFileError(f"{where}: `expect` must be a list of entry ids or out_of_scope")
    if not isinstance(texts, list) or not all(isinstance(x, str | int) for x in texts):
        raise EvalFileError(f"{where}: `expect_text` must be a list of strings")
    missing = raw.get("missing")
    if expect == [] and not missing:
        raise EvalFileError(f"{where}: an empty `expect` needs `missing:` saying what is lacking")
    return Turn(raw["text"], expect, [str(x) for x in texts], missing=missing)


def load_items(directory: Path = ANSWERS_DIR, split: str = "") -> list[Item]:
    """The items of `directory`, split by hash unless `split` fixes it; with the
    development set of its `dev/` folder when there is one."""
    items: list[Item] = []
    for path in sorted((directory / "questions").glob("*.yml")):
        for number, raw in enumerate(yaml.safe_load(path.read_text())["questions"], 1):
            where = f"{path.relative_to(ROOT)}, question {number}"
            turn = _turn(raw, where)
            theme = str(raw.get("theme") or "")
            items.append(Item(turn.text, "question", theme, [turn], where, split))
    for path in sorted((directory / "conversations").glob("*.yml")):
        for number, raw in enumerate(yaml.safe_load(path.read_text())["conversations"], 1):
            where = f"{path.relative_to(ROOT)}, conversation {number}"
            turns = [_turn(t, f"{where}, turn {i}") for i, t in enumerate(raw["turns"], 1)]
            name = str(raw.get("name") or where)
            items.append(Item(name, "conversation", "conversation", turns, where, split))
    if not split and (directory / DEV_DIR).is_dir():
        items += load_items(directory / DEV_DIR, "dev")
    return items


def _normal(text: str) -> str:
    return _SPACES.sub(" ", _DIGIT_GROUPS.sub("", text)).strip().lower()


class Judge:
    """Recognises what a reply shows, from the content files themselves."""

    def __init__(self, knowledge_dir: Path, out_of_scope_text: str) -> None:
        territory = load_territory(knowledge_dir / "territory")
        report = validate_directory(knowledge_dir, territory, date.today())
        # The first lines of each answer identify it; later ones may be cut or reworded.
        self._answers = [
            (loaded.entry.id, _normal(loaded.entry.answer.strip().split("\n\n")[0]))
            for loaded in report.entries
        ]
        self.ids = {entry_id for entry_id, _ in self._answers}
        self._out_of_scope = _normal(out_of_scope_text)[:80]

    def shown_entry(self, reply: str) -> str | None:
        text = _normal(reply)
        found = [(text.find(body), entry_id) for entry_id, body in self._answers if body in text]
        return min(found)[1] if found else None

    def judge(self, turn: Turn, reply: str) -> tuple[bool, str, str]:
        """(correct, expected, got) for one reply."""
        shown = self.shown_entry(reply)
        is_out_of_scope = self._out_of_scope in _normal(reply)
        # "une crèche à Brive ?": the place's own decline is the out-of-scope reply made
        # precise, not an answer.
        declined = _normal(OUTSIDE_LOT_DECLINE) in _normal(reply)
        got = shown or ("out_of_scope" if is_out_of_scope else _normal(reply)[:120])
        if turn.out_of_scope:
            got = "outside_lot_decline" if declined and not (shown or is_out_of_scope) else got
            return (is_out_of_scope or declined) and shown is None, OUT_OF_SCOPE, got
        if turn.expect_text:
            text = _normal(reply)
            ok = all(_normal(value) in text for value in turn.expect_text)
            return ok, "text: " + " | ".join(turn.expect_text), got
        expected = turn.expect or []
        return shown in expected, " | ".join(expected) or "(missing)", got


def out_of_scope_text() -> str:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return str(domain["responses"]["utter_out_of_scope"][0]["text"])


def reply_text(messages: list[dict[str, Any]]) -> str:
    return "\n\n".join(str(message.get("text") or "") for message in messages)


def run_item(client: httpx.Client, rasa_url: str, judge: Judge, item: Item) -> list[Judged]:
    sender = f"eval-{uuid.uuid4().hex[:12]}"
    results = []
    for number, turn in enumerate(item.turns, 1):
        response = client.post(
            f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": turn.text}
        )
        response.raise_for_status()
        correct, expected, got = judge.judge(turn, reply_text(response.json()))
        results.append(
            Judged(
                item.source,
                item.kind,
                item.split,
                item.theme,
                number,
                turn.text,
                correct,
                expected,
                got,
                turn.missing,
            )
        )
    return results


def summarise(results: list[Judged]) -> dict[str, Any]:
    scored = [r for r in results if r.missing is None]
    summary: dict[str, Any] = {}
    for split in SPLITS:
        for kind in ("question", "conversation"):
            rows = [r for r in scored if r.split == split and r.kind == kind]
            key = f"{split}_{kind}s"
            summary[key] = {
                "n": len(rows),
                "top1": round(sum(r.correct for r in rows) / len(rows), 3) if rows else None,
            }
        by_theme: dict[str, list[bool]] = defaultdict(list)
        for r in scored:
            if r.split == split and r.kind == "question":
                by_theme[r.theme].append(r.correct)
        summary[f"{split}_by_theme"] = {
            theme: {"n": len(oks), "top1": round(sum(oks) / len(oks), 3)}
            for theme, oks in sorted(by_theme.items())
        }
    summary["missing_content"] = sorted({r.missing for r in results if r.missing})
    return summary


def print_report(summary: dict[str, Any], results: list[Judged], split: str | None) -> None:
    for name in SPLITS:
        if split and name != split:
            continue
        q, c = summary[f"{name}_questions"], summary[f"{name}_conversations"]
        print(f"\n== {name} split: first questions {q['top1']} (n={q['n']}), ", end="")
        print(f"conversation turns {c['top1']} (n={c['n']})")
        for theme, row in summary[f"{name}_by_theme"].items():
            print(f"   {theme:<14} {row['top1']:.3f}  (n={row['n']})")
        misses = [r for r in results if r.split == name and not r.correct and not r.missing]
        print(f"   misses ({len(misses)}):")
        for r in misses:
            print(f"   - [{r.theme} t{r.turn}] {r.text!r}")
            print(f"       want {r.expected}\n       got  {r.got}")
    if summary["missing_content"]:
        print(f"\nQuestions with no entry yet ({len(summary['missing_content'])}), not scored:")
        for line in summary["missing_content"]:
            print(f"   - {line}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Target:
    rasa_url: str
    rasa_token: str | None


def record_parses(client: httpx.Client, target: Target, items: list[Item]) -> None:
    """Intent and entities of each tuning (and development) question and conversation's first
    turn, as Rasa reads them."""
    if not target.rasa_token:
        return
    parses = {}
    for item in items:
        if item.split != "report":
            response = client.post(
                f"{target.rasa_url}/model/parse",
                params={"token": target.rasa_token},
                json={"text": item.turns[0].text},
            )
            response.raise_for_status()
            parses[item.key] = response.json()
    PARSES_PATH.write_text(json.dumps(parses, ensure_ascii=False, indent=1))


@contextmanager
def own_stack() -> Iterator[Target]:
    """The real stack on free ports, on a copy of the content and fresh databases."""
    var_dir = Path(tempfile.mkdtemp(prefix="eval-answers-"))
    overrides = {
        "API_PORT": str(_free_port()),
        "ACTIONS_PORT": str(_free_port()),
        "RASA_PORT": str(_free_port()),
        "ACTIONS_OUTBOX_DIR": str(var_dir / "outbox"),
        "DATABASE_URL": f"sqlite:///{var_dir / 'api.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{var_dir / 'rasa-tracker.db'}",
        "KNOWLEDGE_WATCH": "false",
        # Reuse the real cache of entry vectors: same content, same vectors.
        "EMBEDDING_CACHE_DIR": str(ROOT / "var" / "embeddings"),
    }
    stack = Stack(var_dir=var_dir, overrides=overrides)
    stack.start()
    try:
        yield Target(stack.rasa_url, stack.env["RASA_TOKEN"])
    finally:
        stack.stop()
        shutil.rmtree(var_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make eval-answers", description=__doc__)
    parser.add_argument("--rasa-url", help="a running stack's Rasa (default: start one)")
    parser.add_argument("--split", choices=SPLITS, help="print this split only")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    try:
        items = load_items()
    except (EvalFileError, KeyError, TypeError) as error:
        print(f"tests/answers: {error}", file=sys.stderr)
        return 2
    judge = Judge(ROOT / "knowledge", out_of_scope_text())
    unknown = sorted(
        {
            (i.source, x)
            for i in items
            for t in i.turns
            for x in (t.expect or [])
            if x not in judge.ids
        }
    )
    if unknown:
        for source, entry_id in unknown:
            print(f"{source}: unknown entry id '{entry_id}': fix the id", file=sys.stderr)
        return 2
    REPORT_PATH.parent.mkdir(parents=True, exist_ok=True)
    stack = own_stack() if not args.rasa_url else _given(args.rasa_url)
    with stack as target, httpx.Client(timeout=60) as client:
        with ThreadPoolExecutor(args.workers) as pool:
            batches = pool.map(lambda item: run_item(client, target.rasa_url, judge, item), items)
            results = [row for batch in batches for row in batch]
        record_parses(client, target, items)
    summary = summarise(results)
    print_report(summary, results, args.split)
    REPORT_PATH.write_text(
        json.dumps(
            {"summary": summary, "results": [asdict(r) for r in results]},
            indent=1,
            ensure_ascii=False,
        )
    )
    print(f"\nWritten {REPORT_PATH.relative_to(ROOT)}")
    return 0


@contextmanager
def _given(url: str) -> Iterator[Target]:
    yield Target(url, os.environ.get("RASA_TOKEN"))


if __name__ == "__main__":
    sys.exit(main())
