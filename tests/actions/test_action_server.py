"""The real action server (rasa-sdk, as `rasa run actions` starts it) runs the outbox's
delivery worker while it runs, and stops it when it stops."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from conftest import (
    BOT_TOKEN,
    RASA_TOKEN,
    ROOT,
    ApiServer,
    FakeRasa,
    free_port,
    handoff_conversation,
    handoff_slots,
    make_tracker,
    run,
)

from bot.actions.config import Settings
from bot.actions.handoff import ActionSubmitHandoff
from bot.actions.outbox import Outbox

BOT_PYTHON = ROOT / ".venv-bot" / "bin" / "python"


def test_the_action_server_delivers_saved_requests_and_stops_its_worker(
    api_down: Settings, api_server: ApiServer, fake_rasa: FakeRasa, tmp_path: Path
) -> None:
    tracker = make_tracker(handoff_conversation(), handoff_slots(), sender_id="visitor-server")
    run(ActionSubmitHandoff(), tracker)
    assert len(Outbox(api_down.outbox_dir).pending()) == 1

    log_path = tmp_path / "actions.log"
    port = str(free_port())
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SANIC_HOST": "127.0.0.1",
        "API_URL": api_server.url,
        "BOT_API_TOKEN": BOT_TOKEN,
        "RASA_URL": fake_rasa.url,
        "RASA_TOKEN": RASA_TOKEN,
        "ACTIONS_OUTBOX_DIR": str(api_down.outbox_dir),
        "ACTIONS_OUTBOX_FIRST_RETRY_S": "0.2",
        "ACTIONS_OUTBOX_POLL_S": "0.2",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(BOT_PYTHON), "-m", "rasa_sdk", "--actions", "bot.actions", "--port", port],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # Only the server's worker can send this: the request was saved by this test.
        calls = fake_rasa.wait_for_calls(1, timeout_s=120)
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=60)

    output = log_path.read_text(encoding="utf-8", errors="replace")
    assert [c["body"]["name"] for c in calls] == ["EXTERNAL_handoff_created"], output[-3000:]
    assert "outbox.worker_started" in output
    assert "outbox.worker_stopped" in output
    assert returncode == 0, output[-3000:]
