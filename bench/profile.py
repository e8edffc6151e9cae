"""Where a turn's time goes: py-spy samples each process of the stack under load.

`python -m bench.profile [--concurrency 10] [--seconds 20]` starts the embedded stack,
runs the closed loop of `bench.closed_loop` at one concurrency level and records Rasa, the
action server and the API with py-spy at the same time (`--nonblocking`: the processes are
not paused). Prints, for each process, its share of the samples and the libraries where
its CPU time is spent, and writes reports/profile.md (raw stacks in reports/profile/).
Not part of `make bench` (no `main`): run it when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.closed_loop import run_level, warm_up
from bench.report import REPORTS
from bench.resources import measured_stack
from bench.visitors import LOT_SCRIPT
from scripts.stack import APP_BIN


# Frames are "function (path:line)", the path relative to its sys.path entry: its first
# folder names the library ("rasa", "spacy", "sqlalchemy", "asyncio"…; "bot", "api": ours).
def library_of(frame: str) -> str:
    path = frame.rsplit("(", 1)[-1].rstrip(")").split(":", 1)[0]
    return path.split("/", 1)[0].removesuffix(".py")


def summarize(raw: Path, top: int = 8) -> tuple[int, list[tuple[str, int]]]:
    """Samples in total and, by library, the samples whose innermost frame is in it."""
    by_library: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        by_library[library_of(frames[-1])] += int(count)
        total += int(count)
    return total, by_library.most_common(top)


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
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
                    "--duration",
                    str(int(args.seconds)),
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
        row = asyncio.run(run_level(stack.rasa_url, LOT_SCRIPT, args.concurrency, args.seconds + 2))
        for recorder in recorders.values():
            recorder.wait(timeout=120)
    lines = [
        "# Profile",
        "",
        f"Closed loop at concurrency {args.concurrency} for {args.seconds:g} s: "
        f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, {row['throughput_tps']} turns/s.",
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
        lines.append("")
    text = "\n".join(lines)
    (REPORTS / "profile.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
