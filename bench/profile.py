"""Where a turn's time goes: py-spy samples each process of the stack under load.

`python -m bench.profile [--concurrency 10] [--seconds 20]` starts the embedded stack,
runs the closed loop of `bench.closed_loop` at one concurrency level and records Rasa, the
action server and the API with py-spy at the same time (`--nonblocking`: the processes are
not paused). `--long-conversations N` holds N conversations of `bench.long_conversation`
instead, to see what grows with the tracker. Prints, for each process, the libraries where
its CPU time is spent and the project's and Rasa's functions that take the most of it
(their callees included), and writes reports/profile.md (raw stacks in reports/profile/).
Not part of `make bench` (no `main`): run it when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bench.closed_loop import run_level, warm_up
from bench.long_conversation import long_script, run_conversations
from bench.report import REPORTS
from bench.resources import measured_stack
from bench.visitors import LOT_SCRIPT
from scripts.stack import APP_BIN

# The frames worth naming: the project's code and Rasa's, not the frameworks under them.
OWN_AND_RASA = ("bot", "api", "rasa", "rasa_sdk")


# Frames are "function (path:line)", the path relative to its sys.path entry: its first
# folder names the library ("rasa", "spacy", "sqlalchemy", "asyncio"…; "bot", "api": ours).
def library_of(frame: str) -> str:
    path = frame.rsplit("(", 1)[-1].rstrip(")").split(":", 1)[0]
    return path.split("/", 1)[0].removesuffix(".py")


def summarize(raw: Path, top: int = 8) -> tuple[int, list[tuple[str, int]]]:
    """Samples in total and, by library, the samples whose innermost frame is in it."""
    by_library: Counter[str] = Counter()
    total = 0
    for frames, count in _samples(raw):
        by_library[library_of(frames[-1])] += count
        total += count
    return total, by_library.most_common(top)


def _samples(raw: Path) -> Iterator[tuple[list[str], int]]:
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack.split(";"), int(count)


def inclusive(raw: Path, libraries: tuple[str, ...], top: int = 25) -> list[tuple[str, int]]:
    """Functions of `libraries` by the samples in which they are on the stack at all, less
    the server's entry points (on nine samples in ten or more), which say nothing."""
    by_function: Counter[str] = Counter()
    total = 0
    for frames, count in _samples(raw):
        total += count
        names = {
            f"{frame.split(' (', 1)[0]} ({frame.rsplit('(', 1)[-1].split(':', 1)[0]})"
            for frame in frames
            if library_of(frame) in libraries
        }
        for name in names:
            by_function[name] += count
    telling = [(name, count) for name, count in by_function.items() if count < 0.9 * total]
    return sorted(telling, key=lambda item: -item[1])[:top]


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--long-conversations", type=int, default=0)
    args = parser.parse_args(argv)
    out = REPORTS / "profile"
    out.mkdir(parents=True, exist_ok=True)
    with measured_stack() as (stack, _sampler):
        asyncio.run(warm_up(stack.rasa_url, LOT_SCRIPT))
        recorders = {
            service.name: subprocess.Popen(
                [
                    str(APP_BIN / "py-spy"),
                    "record",
                    "--pid",
                    str(service.process.pid),
                    "--rate",
                    "50",
                    "--nonblocking",
                    "--format",
                    "raw",
                    "--output",
                    str(out / f"{service.name}.txt"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for service in stack.services
            if service.process is not None
        }
        if args.long_conversations:
            script = long_script()
            asyncio.run(
                run_conversations(
                    stack.rasa_url, stack.env["RASA_TOKEN"], script, args.long_conversations
                )
            )
            load = f"{args.long_conversations} conversations of {len(script)} turns, one at a time."
        else:
            row = asyncio.run(run_level(stack.rasa_url, LOT_SCRIPT, args.concurrency, args.seconds))
            load = (
                f"Closed loop at concurrency {args.concurrency} for {args.seconds:g} s: "
                f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, {row['throughput_tps']} turns/s."
            )
        # py-spy writes its samples when interrupted, as on Ctrl-C.
        for recorder in recorders.values():
            recorder.send_signal(signal.SIGINT)
        for recorder in recorders.values():
            recorder.wait(timeout=120)
    lines = [
        "# Profile",
        "",
        load,
        "py-spy samples each process 50 times a second (idle threads left out); the table",
        "shows where each process's busy samples are (innermost frame, by library).",
        "",
    ]
    for name in recorders:
        raw = out / f"{name}.txt"
        if not raw.exists():
            lines.append(f"- {name}: no samples (py-spy could not attach)")
            continue
        total, libraries = summarize(raw)
        lines += [f"## {name} ({total} samples)", "", "| where | share |", "|---|---:|"]
        lines += [f"| {lib} | {count / total:.0%} |" for lib, count in libraries]
        lines += ["", "| function, its callees included | share |", "|---|---:|"]
        lines += [
            f"| {function} | {count / total:.0%} |"
            for function, count in inclusive(raw, OWN_AND_RASA)
        ]
        lines.append("")
    text = "\n".join(lines)
    (REPORTS / "profile.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
