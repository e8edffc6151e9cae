"""Closed loop: N visitors each start a new conversation as soon as the last one ends.

`python -m bench closed_loop` starts the embedded stack of `make run` on free ports, then for
each concurrency level (BENCH_LEVELS, default 1,10,50) runs for BENCH_LEVEL_SECONDS (default
30 s) and measures per-turn latency, throughput and errors; writes reports/parts/closed_loop.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from typing import Any

from bench.report import write_part
from bench.resources import measured_stack
from bench.visitors import (
    LOT_SCRIPT,
    RestVisitor,
    Script,
    TurnLog,
    conversation,
    hold_conversation,
    http_client,
    summary,
)

REQUEST_TIMEOUT_S = 60.0
WARM_UP_CONVERSATIONS = 3


async def _visitor_loop(
    url: str, script: Script, log: TurnLog, deadline: float, seed: int, client: Any
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        visitor = RestVisitor(client, url, log)
        await hold_conversation(visitor, conversation(script, rng), deadline=deadline)


async def run_level(url: str, script: Script, concurrency: int, seconds: float) -> dict[str, Any]:
    log = TurnLog()
    async with http_client(concurrency, REQUEST_TIMEOUT_S) as client:
        start = time.monotonic()
        deadline = start + seconds
        await asyncio.gather(
            *(
                _visitor_loop(url, script, log, deadline, concurrency * 1000 + i, client)
                for i in range(concurrency)
            )
        )
        elapsed = time.monotonic() - start
    return {"concurrency": concurrency, **summary(log, elapsed)}


async def warm_up(url: str, script: Script) -> None:
    """First turns load lazy parts (TensorFlow graphs, the API's indexes): not measured."""
    rng = random.Random(0)
    async with http_client(1, REQUEST_TIMEOUT_S) as client:
        for _ in range(WARM_UP_CONVERSATIONS):
            await hold_conversation(RestVisitor(client, url, TurnLog()), conversation(script, rng))


def run_levels(url: str, script: Script, levels: list[int], seconds: float) -> list[dict[str, Any]]:
    asyncio.run(warm_up(url, script))
    rows = []
    for concurrency in levels:
        row = asyncio.run(run_level(url, script, concurrency, seconds))
        print(
            f"  concurrency {concurrency:>3}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
            f"p99 {row['p99_ms']} ms, {row['throughput_tps']} turns/s, {row['errors']} errors",
            flush=True,
        )
        rows.append(row)
    return rows


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench closed_loop")
    parser.add_argument(
        "--levels",
        default=os.environ.get("BENCH_LEVELS", "1,10,50"),
        help="comma-separated concurrency levels",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BENCH_LEVEL_SECONDS", "30")),
        help="duration of each level",
    )
    return parser.parse_args(argv)


def levels_of(text: str) -> list[int]:
    return [int(level) for level in text.split(",") if level.strip()]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    levels = levels_of(args.levels)
    print(f"Closed loop on the assistant: levels {levels}, {args.seconds:g} s each", flush=True)
    with measured_stack() as (stack, sampler):
        rows = run_levels(stack.rasa_url, LOT_SCRIPT, levels, args.seconds)
    write_part(
        "closed_loop",
        {"levels": rows, "level_seconds": args.seconds, "rss": sampler.report()},
    )
    return 0
