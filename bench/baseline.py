"""Baseline: Rasa's own starter assistant ("moodbot", `rasa init`) under the same closed loop.

`python -m bench baseline` creates the starter project in a temporary folder (`rasa init
--no-prompt`, which also trains it: that time is the baseline's training time), serves it with
`rasa run` on a free port and runs the same concurrency levels as the closed loop, with a
moodbot conversation of the same length. Writes reports/parts/baseline.json.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx

from bench.closed_loop import levels_of, parse_args, run_levels
from bench.report import write_part
from bench.resources import BOT_BIN, RssSampler
from bench.visitors import MOODBOT_SCRIPT
from scripts.stack import free_port

START_TIMEOUT_S = 180.0


def init_starter_project(project: Path) -> float:
    """Creates and trains the starter assistant; returns the seconds it took."""
    start = time.monotonic()
    completed = subprocess.run(
        [str(BOT_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0 or not list((project / "models").glob("*.tar.gz")):
        raise RuntimeError("rasa init failed:\n" + "\n".join(completed.stdout.splitlines()[-20:]))
    return time.monotonic() - start


@contextmanager
def serving(project: Path, extra_args: Sequence[str] = ()) -> Iterator[tuple[str, int]]:
    """`rasa run` in `project` (its model and endpoints, unless `extra_args` say otherwise);
    yields its URL and pid."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = project / "rasa-run.log"
    command = [str(BOT_BIN / "rasa"), "run", "--interface", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, *extra_args],
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(url, process, log_path)
        yield url, process.pid
    finally:
        with suppress(ProcessLookupError):  # it may have exited on its own
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rasa run exited early:\n{log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"rasa run did not answer in time:\n{log_path.read_text()[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    levels = levels_of(args.levels)
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        project = Path(tmp)
        print("Baseline: rasa init (creates and trains the starter assistant)…", flush=True)
        train_s = init_starter_project(project)
        print(f"  trained in {train_s:.0f} s; closed loop {levels}, {args.seconds:g} s each")
        with serving(project) as (url, pid), RssSampler({"rasa": pid}) as sampler:
            rows = run_levels(url, MOODBOT_SCRIPT, levels, args.seconds)
    result: dict[str, Any] = {
        "bot": f"rasa init starter assistant (moodbot), rasa {_rasa_version()}",
        "train_s": round(train_s, 1),
        "closed_loop": rows,
        "rss": sampler.report(),
    }
    write_part("baseline", result)
    return 0


def _rasa_version() -> str:
    completed = subprocess.run(
        [str(BOT_BIN / "python"), "-c", "import rasa; print(rasa.__version__)"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return completed.stdout.strip() or "unknown"
