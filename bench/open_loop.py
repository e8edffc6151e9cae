"""Open loop: a crowd of visitors who read each answer for 3 to 8 seconds before they reply.

`python -m bench open_loop` starts the embedded stack on free ports and keeps BENCH_VISITORS
(default 100) visitors talking for BENCH_OPEN_SECONDS (default 180 s); one visitor in ten uses
the socket.io channel like the website's widget, the others the REST channel. A visitor who
ends a conversation starts a new one. The stack first serves the warm-up conversations of the
closed loop, as in the other parts. Writes reports/parts/open_loop.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from typing import Any

from bench.closed_loop import warm_up
from bench.report import write_part
from bench.resources import measured_stack
from bench.visitors import (
    LOT_SCRIPT,
    LOT_STEPS,
    RestVisitor,
    SocketIOVisitor,
    TurnLog,
    by_step,
    conversation,
    hold_conversation,
    http_client,
    summary,
)

READING_TIME_S = (3.0, 8.0)
SOCKETIO_SHARE = 10  # one visitor in SOCKETIO_SHARE
REQUEST_TIMEOUT_S = 30.0


async def _rest_visitor(
    url: str, client: Any, log: TurnLog, rng: random.Random, deadline: float
) -> None:
    finished = True
    while finished and time.monotonic() < deadline:
        visitor = RestVisitor(client, url, log)
        finished = await hold_conversation(
            visitor,
            conversation(LOT_SCRIPT, rng),
            reading_time=lambda: rng.uniform(*READING_TIME_S),
            deadline=deadline,
        )


async def _socketio_visitor(url: str, log: TurnLog, rng: random.Random, deadline: float) -> None:
    finished = True
    while finished and time.monotonic() < deadline:
        visitor = SocketIOVisitor(url, log, REQUEST_TIMEOUT_S)
        try:
            if not await visitor.connect():
                await asyncio.sleep(rng.uniform(*READING_TIME_S))
                continue
            finished = await hold_conversation(
                visitor,
                conversation(LOT_SCRIPT, rng),
                reading_time=lambda: rng.uniform(*READING_TIME_S),
                deadline=deadline,
            )
        finally:
            await visitor.close()


async def _arrive(index: int, url: str, client: Any, logs: dict[str, TurnLog], end: float) -> None:
    rng = random.Random(index)
    # Visitors arrive over the first reading time rather than all in the same millisecond.
    await asyncio.sleep(rng.uniform(0, READING_TIME_S[1]))
    if index % SOCKETIO_SHARE == 0:
        await _socketio_visitor(url, logs["socketio"], rng, end)
    else:
        await _rest_visitor(url, client, logs["rest"], rng, end)


async def run_open_loop(url: str, visitors: int, seconds: float) -> dict[str, Any]:
    logs = {"rest": TurnLog(), "socketio": TurnLog()}
    async with http_client(visitors, REQUEST_TIMEOUT_S) as client:
        start = time.monotonic()
        end = start + seconds
        await asyncio.gather(*(_arrive(i, url, client, logs, end) for i in range(visitors)))
        elapsed = time.monotonic() - start
    everything = TurnLog()
    everything.merge(logs["rest"])
    everything.merge(logs["socketio"])
    socketio_visitors = len(range(0, visitors, SOCKETIO_SHARE))
    return {
        "visitors": visitors,
        "duration_s": seconds,
        "reading_time_s": list(READING_TIME_S),
        **summary(everything, elapsed),
        "by_step": by_step(everything, LOT_STEPS),
        "socketio": {"visitors": socketio_visitors, **summary(logs["socketio"], elapsed)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench open_loop")
    parser.add_argument(
        "--visitors", type=int, default=int(os.environ.get("BENCH_VISITORS", "100"))
    )
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_OPEN_SECONDS", "180"))
    )
    args = parser.parse_args(argv)
    print(f"Open loop: {args.visitors} visitors for {args.seconds:g} s", flush=True)
    with measured_stack() as (stack, sampler):
        # Like the other parts: a busy evening meets a stack that has served before.
        asyncio.run(warm_up(stack.rasa_url, LOT_SCRIPT))
        result = asyncio.run(run_open_loop(stack.rasa_url, args.visitors, args.seconds))
    result["rss"] = sampler.report()
    print(
        f"  p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, {result['turns']} turns, "
        f"{result['errors']} errors (socket.io p50 {result['socketio']['p50_ms']} ms)",
        flush=True,
    )
    for row in result["by_step"]:
        print(
            f"    {row['step']}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
            f"max {row['max_ms']} ms, {row['share_of_tail']} of the turns above p95",
            flush=True,
        )
    write_part("open_loop", result)
    return 0
