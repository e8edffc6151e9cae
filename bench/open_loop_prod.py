"""Open loop on the production topology, at several crowd sizes, and the servers a peak needs.

`python -m bench open_loop_prod` starts the topology of `make run-prod` (scripts/prod_stack.py:
two Rasa servers and two action servers behind nginx, the API with two workers, PostgreSQL for
the tracker store and the API, Redis for the lock store) on free ports with two throwaway
databases, then sends the visitors of `bench.open_loop` (reading 3 to 8 s between messages,
one in ten on socket.io) to nginx's public address, at each level of BENCH_PROD_LEVELS
(default 100,200,400 visitors) for BENCH_PROD_SECONDS each (default 120 s). All visitors come
from one address, so nginx's address-sticky socket.io upstream sends the socket.io tenth to
one Rasa server; the REST visitors are spread over both.

PostgreSQL and Redis are those of BENCH_POSTGRES_URL and BENCH_REDIS_URL, else of
TEST_POSTGRES_URL and TEST_REDIS_URL, else the local ones `make run-prod` uses. When one of
them does not answer, or nginx is missing, the part says why and measures nothing.

Servers for a peak: one server is this machine running the whole topology. Its capacity is
the largest level at which that level and every smaller one kept the open-loop p95 under the
target with no error (a lower bound: the levels are steps); a stated peak of simultaneous
visitors (BENCH_PEAK_VISITORS, an input, not a measured or sourced figure) needs
ceil(peak / capacity) such servers, assuming that each added server carries as much as the
measured one (the shared PostgreSQL and Redis are not measured as a limit here).

Writes reports/parts/open_loop_prod.json.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from bench.closed_loop import levels_of, warm_up
from bench.open_loop import run_open_loop
from bench.report import OPEN_LOOP_P95_MS, write_part
from bench.resources import RssSampler, sampled
from bench.visitors import LOT_SCRIPT
from scripts.prod_stack import (
    PRODUCTION_DEFAULTS,
    ProdStack,
    admin_engine,
    ensure_nginx,
    redis_lock_store,
    throwaway_databases,
)

DEFAULT_LEVELS = "100,200,400"
DEFAULT_PEAK_VISITORS = 400


def postgres_server() -> URL:
    return make_url(
        os.environ.get("BENCH_POSTGRES_URL")
        or os.environ.get("TEST_POSTGRES_URL")
        or PRODUCTION_DEFAULTS["DATABASE_URL"]
    )


def redis_url() -> str:
    defaults = PRODUCTION_DEFAULTS
    return (
        os.environ.get("BENCH_REDIS_URL")
        or os.environ.get("TEST_REDIS_URL")
        or f"redis://{defaults['REDIS_HOST']}:{defaults['REDIS_PORT']}/{defaults['REDIS_DB']}"
    )


def missing_service(server: URL, lock_store: dict[str, str]) -> str | None:
    """Why the topology cannot start here, or None."""
    engine = admin_engine(server)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return f"PostgreSQL at {server.render_as_string()} does not answer: {error}"
    finally:
        engine.dispose()
    host, port = lock_store["REDIS_HOST"], int(lock_store["REDIS_PORT"])
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        return f"Redis at {host}:{port} does not answer: {error}"
    try:
        ensure_nginx()
    except RuntimeError as error:
        return str(error)
    return None


@contextmanager
def measured_prod_stack(
    server: URL, lock_store: dict[str, str]
) -> Iterator[tuple[ProdStack, RssSampler]]:
    with (
        throwaway_databases(server, "bench") as databases,
        tempfile.TemporaryDirectory(prefix="bench-prod-") as tmp,
    ):
        stack = ProdStack(var_dir=Path(tmp), overrides={**databases, **lock_store})
        with sampled(stack) as measured:
            yield measured


def capacity_per_server(levels: Sequence[dict[str, Any]], p95_limit_ms: float) -> int | None:
    """The largest level that, with every smaller one, kept p95 under the limit, no error."""
    capacity = None
    for row in sorted(levels, key=lambda r: r["visitors"]):
        p95 = row["p95_ms"]
        if row["errors"] or p95 is None or p95 >= p95_limit_ms:
            break
        capacity = row["visitors"]
    return capacity


def servers_for_peak(
    levels: Sequence[dict[str, Any]], peak_visitors: int, p95_limit_ms: float = OPEN_LOOP_P95_MS
) -> dict[str, Any]:
    capacity = capacity_per_server(levels, p95_limit_ms)
    smallest = min((row["visitors"] for row in levels), default=None)
    if capacity is None:
        derivation = (
            f"no measured level kept p95 under {p95_limit_ms:g} ms with no error, "
            f"not even the smallest ({smallest} visitors): capacity below that, not estimated "
            "(BENCH_PROD_LEVELS can add smaller levels)"
        )
        servers = None
    else:
        servers = math.ceil(peak_visitors / capacity)
        derivation = (
            f"one server (this machine running the whole topology) carried {capacity} "
            f"visitors with p95 under {p95_limit_ms:g} ms and no error at every level up to "
            f"it; ceil({peak_visitors} / {capacity}) = {servers}, assuming each added server "
            "carries as much (the shared PostgreSQL and Redis not measured as a limit)"
        )
    return {
        "peak_visitors": peak_visitors,
        "p95_limit_ms": p95_limit_ms,
        "visitors_per_server": capacity,
        "servers": servers,
        "derivation": derivation,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench open_loop_prod")
    parser.add_argument(
        "--levels",
        default=os.environ.get("BENCH_PROD_LEVELS", DEFAULT_LEVELS),
        help="comma-separated numbers of visitors",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BENCH_PROD_SECONDS", "120")),
        help="duration of each level",
    )
    parser.add_argument(
        "--peak-visitors",
        type=int,
        default=int(os.environ.get("BENCH_PEAK_VISITORS", str(DEFAULT_PEAK_VISITORS))),
        help="the stated peak of simultaneous visitors to size the servers for",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    levels = levels_of(args.levels)
    server, lock_store = postgres_server(), redis_lock_store(redis_url())
    reason = missing_service(server, lock_store)
    if reason:
        print(f"Open loop on the production topology: not measured. {reason}", flush=True)
        write_part("open_loop_prod", {"skipped": reason})
        return 0
    print(
        f"Open loop on the production topology: levels {levels} visitors, {args.seconds:g} s each",
        flush=True,
    )
    rows = []
    with measured_prod_stack(server, lock_store) as (stack, sampler):
        asyncio.run(warm_up(stack.public_url, LOT_SCRIPT))
        for visitors in levels:
            row = asyncio.run(run_open_loop(stack.public_url, visitors, args.seconds))
            print(
                f"  {visitors:>4} visitors: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                f"p99 {row['p99_ms']} ms, {row['throughput_tps']} turns/s, "
                f"{row['errors']} errors",
                flush=True,
            )
            rows.append(row)
        topology = {
            "rasa_servers": stack.rasa_servers,
            "action_servers": stack.action_servers,
            "api_workers": int(stack.env["API_WORKERS"]),
        }
    estimate = servers_for_peak(rows, args.peak_visitors)
    print(
        f"  Servers for a stated peak of {args.peak_visitors} simultaneous visitors: "
        f"{estimate['servers'] if estimate['servers'] is not None else '–'} "
        f"({estimate['derivation']})",
        flush=True,
    )
    write_part(
        "open_loop_prod",
        {
            "topology": topology,
            "level_seconds": args.seconds,
            "levels": rows,
            "rss": sampler.report(),
            "servers_for_peak": estimate,
        },
    )
    return 0
