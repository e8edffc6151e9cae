"""bench/visitors.py: the open loop's latencies broken down by script step."""

import asyncio
import random
import time
from typing import Any

import pytest

from bench import open_loop
from bench.visitors import TurnLog, by_step, hold_conversation


def test_the_breakdown_says_which_steps_make_the_tail() -> None:
    log = TurnLog()
    for _ in range(19):
        log.ok(0.05, 0)
        log.ok(0.06, 1)
    log.ok(0.9, 1)
    log.ok(1.2, 1)
    log.ok(0.04, None)  # a turn whose step the caller did not give counts overall only

    greeting, theme, goodbye = by_step(log, ["greeting", "theme", "goodbye"])

    assert greeting == {
        "step": "greeting",
        "turns": 19,
        "p50_ms": 50.0,
        "p95_ms": 50.0,
        "max_ms": 50.0,
        "share_of_tail": 0.0,
    }
    assert theme["turns"] == 21
    assert theme["max_ms"] == 1200.0
    assert theme["share_of_tail"] == 1.0
    assert goodbye == {
        "step": "goodbye",
        "turns": 0,
        "p50_ms": None,
        "p95_ms": None,
        "max_ms": None,
        "share_of_tail": 0.0,
    }


def test_merged_logs_keep_each_turns_step() -> None:
    rest, socketio = TurnLog(), TurnLog()
    rest.ok(0.1, 0)
    socketio.ok(0.2, 1)

    rest.merge(socketio)

    assert rest.steps == [0, 1]
    assert [row["turns"] for row in by_step(rest, ["greeting", "theme"])] == [1, 1]


class _Visitor:
    """Answers at once and remembers what it was told."""

    made = 0

    def __init__(self, *_args: object) -> None:
        type(self).made += 1
        self.said: list[str] = []

    async def say(self, text: str, step: int | None = None) -> list[dict[str, Any]]:
        self.said.append(text)
        return [{"text": "ok"}]


def test_a_visitor_reading_when_the_run_ends_sends_nothing_more() -> None:
    visitor = _Visitor()
    start = time.monotonic()

    finished = asyncio.run(
        hold_conversation(
            visitor,  # type: ignore[arg-type]
            ["Bonjour", "Je cherche du travail à Cahors", "Merci"],
            reading_time=lambda: 0.2,
            deadline=start + 0.3,
        )
    )

    assert finished is False
    assert visitor.said == ["Bonjour", "Je cherche du travail à Cahors"]
    # It read until the end of the run rather than leaving early.
    assert time.monotonic() - start >= 0.29


def test_the_open_loop_starts_no_conversation_in_the_last_reading_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _Visitor.made = 0
    monkeypatch.setattr(open_loop, "RestVisitor", _Visitor)
    monkeypatch.setattr(open_loop, "READING_TIME_S", (0.2, 0.2))
    deadline = time.monotonic() + 0.5

    asyncio.run(open_loop._rest_visitor("http://bot", None, TurnLog(), random.Random(1), deadline))

    # One conversation cut by the deadline after its third answer: before the fix, the
    # visitor started a new conversation and sent greetings without pause until the end.
    assert _Visitor.made == 1
