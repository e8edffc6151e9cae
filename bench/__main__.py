"""Runs the benchmarks: `python -m bench` runs every module, `python -m bench <module> [args]`
runs one (e.g. `python -m bench knowledge`). A module of this package takes part as soon as it
defines `main(argv: list[str] | None) -> int`; `report` runs last since it merges the others."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

LAST = "report"

Main = Callable[[list[str] | None], int]


def benchmarks() -> dict[str, Main]:
    found: dict[str, Main] = {}
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("_"):
            continue
        entry = getattr(importlib.import_module(f"bench.{module.name}"), "main", None)
        if callable(entry):
            found[module.name] = entry
    order = sorted(found, key=lambda name: (name == LAST, name))
    return {name: found[name] for name in order}


def main(argv: list[str]) -> int:
    available = benchmarks()
    if argv and argv[0] in ("-h", "--help", "--list"):
        print("python -m bench [module [args...]]; modules: " + ", ".join(available))
        return 0
    if argv:
        name, rest = argv[0], argv[1:]
        if name not in available:
            print(f"unknown benchmark {name!r}; available: {', '.join(available)}")
            return 2
        return available[name](rest)
    failed = []
    for name, run in available.items():
        print(f"== bench {name}", flush=True)
        started = time.monotonic()
        status = run([])
        print(
            f"== bench {name}: exit {status} after {time.monotonic() - started:.0f} s", flush=True
        )
        if status != 0:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
