"""Long conversations: what the 40th turn of a conversation costs against the 1st.

Rasa keeps every event of a conversation in its tracker (each turn adds the visitor's
message, the actions, their slots and the bot's messages), reads it from the tracker store
and saves it on every message, and its policies work on it. A visitor who asks question
after question must not wait longer at the 40th question than at the first.

`python -m bench long_conversation` starts the embedded stack of `make run` and holds
BENCH_LONG_CONVERSATIONS (default 20) conversations one after the other, each with its own
sender (one at a time: the cost of a turn, without queueing behind other visitors). Each
conversation repeats a round of the benchmark script (a theme question naming a town, the
Figeac follow-up, another theme) until the round that starts at turn 40, then thanks and
says goodbye: 44 turns, where turns 1, 4, … 40 are the same kind of message. Writes
reports/parts/long_conversation.json: the p50 of every turn position, turn 1 against turn 40,
and the first round against the round starting at turn 40 (three times the samples).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
from collections.abc import Sequence
from typing import Any

import httpx

from bench.closed_loop import warm_up
from bench.report import LONG_CONVERSATION_RATIO, write_part
from bench.resources import measured_stack
from bench.visitors import (
    FIGEAC_FOLLOW_UP,
    GOODBYES,
    LOT_SCRIPT,
    OTHER_THEME,
    THANKS,
    THEME_WITH_TOWN,
    RestVisitor,
    Script,
    TurnLog,
    conversation,
    http_client,
    percentile_ms,
)

REQUEST_TIMEOUT_S = 60.0
FIRST_TURN = 1
LATER_TURN = 40
ROUND: Script = (THEME_WITH_TOWN, FIGEAC_FOLLOW_UP, OTHER_THEME)


def long_script(later_turn: int = LATER_TURN, round_steps: Script = ROUND) -> Script:
    """Rounds up to and including the one that starts at `later_turn`, then the closing."""
    if (later_turn - 1) % len(round_steps):
        raise ValueError(
            f"turn {later_turn} must start a round of {len(round_steps)} turns, "
            "so that it is the same kind of message as turn 1"
        )
    rounds = (later_turn - 1) // len(round_steps) + 1
    return round_steps * rounds + (THANKS, GOODBYES)


def compare_turns(
    latencies_by_turn: Sequence[Sequence[float]],
    later_turn: int = LATER_TURN,
    round_length: int = len(ROUND),
) -> dict[str, Any]:
    """Turn 1 against `later_turn` (1-based positions), and their rounds, by p50."""
    first = latencies_by_turn[FIRST_TURN - 1]
    later = latencies_by_turn[later_turn - 1]
    first_round = [s for turn in latencies_by_turn[:round_length] for s in turn]
    later_round = [
        s
        for turn in latencies_by_turn[later_turn - 1 : later_turn - 1 + round_length]
        for s in turn
    ]
    first_p50, later_p50 = percentile_ms(first, 50), percentile_ms(later, 50)
    first_round_p50 = percentile_ms(first_round, 50)
    later_round_p50 = percentile_ms(later_round, 50)
    return {
        "turn_1": {"samples": len(first), "p50_ms": first_p50, "p95_ms": percentile_ms(first, 95)},
        f"turn_{later_turn}": {
            "samples": len(later),
            "p50_ms": later_p50,
            "p95_ms": percentile_ms(later, 95),
        },
        "ratio_p50": _ratio(later_p50, first_p50),
        "rounds": {
            "turns": [f"1-{round_length}", f"{later_turn}-{later_turn + round_length - 1}"],
            "first_p50_ms": first_round_p50,
            "later_p50_ms": later_round_p50,
            "ratio_p50": _ratio(later_round_p50, first_round_p50),
        },
        "p50_ms_by_turn": [percentile_ms(turn, 50) for turn in latencies_by_turn],
    }


def _ratio(later: float | None, first: float | None) -> float | None:
    if later is None or not first:
        return None
    return round(later / first, 2)


async def _events_in_tracker(
    client: httpx.AsyncClient, rasa_url: str, token: str, sender: str
) -> int | None:
    try:
        response = await client.get(
            f"{rasa_url}/conversations/{sender}/tracker", params={"token": token}
        )
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    return len(response.json().get("events", []))


async def run_conversations(
    rasa_url: str, token: str, script: Script, conversations: int
) -> dict[str, Any]:
    logs = [TurnLog() for _ in script]
    events: list[int] = []
    rng = random.Random(40)
    async with http_client(1, REQUEST_TIMEOUT_S) as client:
        for _ in range(conversations):
            visitor = RestVisitor(client, rasa_url, logs[0])
            for text, log in zip(conversation(script, rng), logs, strict=True):
                visitor.log = log
                await visitor.say(text)
            count = await _events_in_tracker(client, rasa_url, token, visitor.sender)
            if count is not None:
                events.append(count)
    errors = sum(log.errors for log in logs)
    samples = [s for log in logs for s in log.error_samples][:5]
    return {
        "latencies_by_turn": [log.latencies_s for log in logs],
        "errors": errors,
        "error_samples": samples,
        "tracker_events_at_end": round(statistics.median(events)) if events else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench long_conversation")
    parser.add_argument(
        "--conversations",
        type=int,
        default=int(os.environ.get("BENCH_LONG_CONVERSATIONS", "20")),
        help="conversations held one after the other",
    )
    args = parser.parse_args(argv)
    script = long_script()
    print(
        f"Long conversations: {args.conversations} of {len(script)} turns, one at a time",
        flush=True,
    )
    with measured_stack() as (stack, _sampler):
        asyncio.run(warm_up(stack.rasa_url, LOT_SCRIPT))
        measured = asyncio.run(
            run_conversations(stack.rasa_url, stack.env["RASA_TOKEN"], script, args.conversations)
        )
    result = {
        "conversations": args.conversations,
        "turns_per_conversation": len(script),
        "round": "theme question naming a town, the Figeac follow-up, another theme",
        "errors": measured["errors"],
        "error_samples": measured["error_samples"],
        "tracker_events_at_end": measured["tracker_events_at_end"],
        "target_ratio": LONG_CONVERSATION_RATIO,
        **compare_turns(measured["latencies_by_turn"]),
    }
    later = result[f"turn_{LATER_TURN}"]
    print(
        f"  turn 1 p50 {result['turn_1']['p50_ms']} ms, turn {LATER_TURN} p50 "
        f"{later['p50_ms']} ms: {result['ratio_p50']}x (target <= {LONG_CONVERSATION_RATIO}x); "
        f"rounds {result['rounds']['turns']}: {result['rounds']['ratio_p50']}x; "
        f"{result['tracker_events_at_end']} events in a tracker at the end; "
        f"{result['errors']} errors",
        flush=True,
    )
    write_part("long_conversation", result)
    return 0
