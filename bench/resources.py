"""Memory of the running services and the time it takes to train the model.

`python -m bench resources` times a full training of the assistant's model into a temporary
folder (models/lot-assistant.tar.gz is never touched) and writes reports/parts/training.json.
The peak memory figures are sampled by `RssSampler` while the load runs (closed and open loop).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import psutil

from bench.report import ROOT, write_part
from scripts.stack import Stack, free_port

BOT_BIN = ROOT / ".venv-bot" / "bin"
S = TypeVar("S", bound=Stack)


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (0 once it is gone)."""
    try:
        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


class RssSampler:
    """Samples each service's process tree in a thread; keeps each one's peak and the whole's."""

    def __init__(self, pids: Mapping[str, int], interval_s: float = 0.5) -> None:
        self.pids = dict(pids)
        self.interval_s = interval_s
        self.peak_by_service: dict[str, int] = dict.fromkeys(self.pids, 0)
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def sample(self) -> None:
        total = 0
        for name, pid in self.pids.items():
            rss = tree_rss(pid)
            total += rss
            self.peak_by_service[name] = max(self.peak_by_service[name], rss)
        self.peak_total = max(self.peak_total, total)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def report(self) -> dict[str, Any]:
        return {
            "peak_total_mb": mb(self.peak_total),
            "peak_by_service_mb": {name: mb(rss) for name, rss in self.peak_by_service.items()},
        }


@contextmanager
def measured_stack(
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[tuple[Stack, RssSampler]]:
    """The embedded stack of `make run` on free ports with throwaway data, memory sampled."""
    with tempfile.TemporaryDirectory(prefix="bench-stack-") as tmp:
        var_dir = Path(tmp)
        overrides = {
            "API_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),
            "DATABASE_URL": f"sqlite:///{var_dir / 'api.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{var_dir / 'rasa-tracker.db'}",
            "LOCK_STORE_TYPE": "in_memory",
            "ACTIONS_OUTBOX_DIR": str(var_dir / "outbox"),
            **(extra_env or {}),
        }
        with sampled(Stack(var_dir=var_dir, overrides=overrides)) as measured:
            yield measured


@contextmanager
def sampled(stack: S) -> Iterator[tuple[S, RssSampler]]:
    """Starts the stack, samples its processes' memory while in use, then stops it."""
    stack.start()
    try:
        pids = {s.name: s.process.pid for s in stack.services if s.process is not None}
        with RssSampler(pids) as sampler:
            yield stack, sampler
    finally:
        stack.stop()


def mb(size: int) -> float:
    return round(size / 1024 / 1024, 1)


def time_training(project_dir: Path, args: list[str], env: Mapping[str, str]) -> dict[str, Any]:
    """Runs `rasa train` into a temporary folder and returns how long it took."""
    with tempfile.TemporaryDirectory(prefix="bench-train-") as out:
        command = [str(BOT_BIN / "rasa"), "train", *args, "--out", out, "--force"]
        start = time.monotonic()
        completed = subprocess.run(
            command, cwd=project_dir, env=dict(env), capture_output=True, text=True, check=False
        )
        seconds = time.monotonic() - start
    if completed.returncode != 0:
        tail = "\n".join(completed.stdout.splitlines()[-15:] + completed.stderr.splitlines()[-15:])
        raise RuntimeError(f"rasa train failed ({completed.returncode}):\n{tail}")
    return {"seconds": round(seconds, 1)}


def main(_argv: list[str] | None = None) -> int:
    print("Training the assistant's model into a temporary folder…", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = time_training(
        ROOT,
        ["--config", "config.yml", "--domain", "domain.yml", "--data", "bot/data"],
        env,
    )
    write_part("training", result)
    print(f"Model trained in {result['seconds']} s.")
    return 0
