"""NLU alone: parse latency of the trained model and its size.

`python -m bench nlu` serves models/lot-assistant.tar.gz with `rasa run --enable-api` on a
free port and sends every message of the held-out sets (tests/nlu/*.yml, never trained on)
to `POST /model/parse`, one at a time, several rounds. Writes reports/parts/nlu.json.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench.baseline import serving
from bench.knowledge import percentiles
from bench.report import write_part
from scripts.stack import MODEL_PATH, ROOT

HOLDOUT_DIR = ROOT / "tests" / "nlu"
# "[Figeac](commune)" and '[CM2]{"entity": ...}' -> the words the visitor typed.
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def holdout_messages(directory: Path = HOLDOUT_DIR) -> list[str]:
    messages = []
    for path in sorted(directory.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    messages.append(_ANNOTATION.sub(r"\1", line.strip()[2:]))
    return messages


def wait_for_model(client: httpx.Client, timeout_s: float = 180.0) -> None:
    """`rasa run` answers before its model is loaded (parse then gives 409)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = client.get("/status")
        if status.status_code == 200 and status.json().get("model_file"):
            return
        time.sleep(0.5)
    raise RuntimeError("the model did not load in time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench nlu")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    messages = holdout_messages()
    token = secrets.token_urlsafe(16)
    # Rasa runs in an empty folder but loads the project's custom policy (bot/policies/).
    os.environ["PYTHONPATH"] = str(ROOT)
    # One argument: the token may start with "-", which argparse takes for an option.
    extra = ("--enable-api", f"--auth-token={token}", "--model", str(MODEL_PATH))
    print(f"NLU parse: {len(messages)} held-out messages x {args.rounds} rounds", flush=True)
    samples = []
    # An empty folder: `rasa run` must not pick up the project's endpoints.yml (no actions
    # or tracker store are needed to parse).
    with (
        tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp,
        serving(Path(tmp), extra) as (url, _pid),
        httpx.Client(base_url=url, params={"token": token}, timeout=30) as client,
    ):
        wait_for_model(client)
        client.post("/model/parse", json={"text": "Bonjour"}).raise_for_status()
        for _ in range(args.rounds):
            for text in messages:
                start = time.perf_counter()
                client.post("/model/parse", json={"text": text}).raise_for_status()
                samples.append((time.perf_counter() - start) * 1000)
    result: dict[str, Any] = {
        "messages": len(messages),
        **percentiles(samples),
        "model_mb": round(MODEL_PATH.stat().st_size / 1024 / 1024, 1),
    }
    print(
        f"  parse p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms; "
        f"model {result['model_mb']} MB"
    )
    write_part("nlu", result)
    return 0
