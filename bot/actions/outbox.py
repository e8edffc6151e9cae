"""A handoff request is never lost: it is written to a file before the first attempt to
send it, and the file is deleted only once the API has created the case.

When the API is down while the visitor waits, a background worker of the action server
(`OutboxWorker`, started and stopped with the server by server.py) keeps sending the
saved requests with a growing delay, then tells the visitor through Rasa
(`EXTERNAL_handoff_created`). The idempotency key inside each request makes every
repeat harmless: the API creates exactly one case per key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bot.actions.api_client import (
    POOLS,
    ApiClient,
    ApiRejected,
    ApiUnavailable,
    HandoffReceipt,
    RasaClient,
)
from bot.actions.config import Settings
from contract.rasa import HANDOFF_CREATED

logger = logging.getLogger(__name__)

# Past this age the visitor has long left the chat: the referent's e-mail reaches them.
NOTIFY_FOR_S = 24 * 3600
# The API's reason for refusing a request; enough to fix the cause, never a whole body.
MAX_REASON_CHARS = 2000


@dataclass(frozen=True)
class OutboxItem:
    key: str
    conversation_id: str
    payload: dict[str, Any]
    created_at: float
    next_attempt_at: float
    attempts: int = 0
    # Set once the case exists and only the visitor still has to be told.
    receipt: dict[str, str] | None = None


class Outbox:
    """One JSON file per pending request, named after its idempotency key."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def _write(self, item: OutboxItem) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Written then renamed, and synced: a crash leaves the old file or the new one.
        handle, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(asdict(item), file, ensure_ascii=False)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, self._path(item.key))

    def save(
        self, key: str, conversation_id: str, payload: dict[str, Any], *, not_before: float
    ) -> OutboxItem:
        item = OutboxItem(
            key=key,
            conversation_id=conversation_id,
            payload=payload,
            created_at=time.time(),
            next_attempt_at=not_before,
        )
        self._write(item)
        return item

    def remove(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def reject(self, key: str, reason: str) -> None:
        """Kept aside for a person to look at: the API refused it, retrying cannot help.
        The files hold a visitor's words: readable by the action server's user only."""
        rejected = self.directory / "rejected"
        rejected.mkdir(mode=0o700, parents=True, exist_ok=True)
        rejected.chmod(0o700)
        if self._path(key).exists():
            target = rejected / f"{key}.json"
            os.replace(self._path(key), target)
            target.chmod(0o600)
            reason_path = rejected / f"{key}.reason.txt"
            handle = os.open(reason_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(reason[:MAX_REASON_CHARS])

    def postpone(self, item: OutboxItem, delay_s: float) -> OutboxItem:
        later = replace(item, attempts=item.attempts + 1, next_attempt_at=time.time() + delay_s)
        self._write(later)
        return later

    def mark_delivered(self, item: OutboxItem, receipt: HandoffReceipt) -> OutboxItem:
        delivered = replace(item, receipt=asdict(receipt))
        self._write(delivered)
        return delivered

    def pending(self) -> list[OutboxItem]:
        items = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                items.append(OutboxItem(**json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError):
                logger.exception("outbox.unreadable_file", extra={"file": path.name})
        return items

    def due(self, now: float) -> list[OutboxItem]:
        return [item for item in self.pending() if item.next_attempt_at <= now]


def backoff_s(attempts: int, first_s: float, max_s: float) -> float:
    return float(min(first_s * 2 ** max(attempts, 0), max_s))


async def deliver_due(
    outbox: Outbox,
    api: ApiClient,
    rasa: RasaClient,
    settings: Settings,
    now: float | None = None,
) -> int:
    """One pass over the requests that are due; returns how many cases were created."""
    now = time.time() if now is None else now
    created = 0
    for item in outbox.due(now):
        delay = backoff_s(
            item.attempts, settings.outbox_first_retry_s, settings.outbox_max_backoff_s
        )
        if item.receipt is None:
            try:
                receipt = await api.create_handoff(item.payload)
            except ApiUnavailable:
                outbox.postpone(item, delay)
                continue
            except ApiRejected as error:
                logger.error(
                    "outbox.handoff_rejected",
                    extra={"conversation_id": item.conversation_id, "status": error.status_code},
                )
                outbox.reject(item.key, str(error))
                continue
            item = outbox.mark_delivered(item, receipt)
            created += 1
            logger.info("outbox.handoff_created", extra={"conversation_id": item.conversation_id})
        assert item.receipt is not None
        try:
            await rasa.trigger_intent(
                item.conversation_id,
                HANDOFF_CREATED,
                {
                    "reference": item.receipt["reference"],
                    "referent_team": item.receipt["team_name"],
                    "expected_reply": item.receipt["expected_reply"],
                },
            )
        except ApiUnavailable:
            if now - item.created_at < NOTIFY_FOR_S:
                outbox.postpone(item, delay)
                continue
        except ApiRejected:
            logger.warning(
                "outbox.visitor_not_told", extra={"conversation_id": item.conversation_id}
            )
        outbox.remove(item.key)
    return created


class OutboxWorker:
    """The delivery loop, in its own thread and event loop, from `start()` to `stop()`.

    The action server starts it when it starts and stops it when it stops (server.py);
    nothing starts it on import. `wait_for` lets a caller (the tests) wait for the outcome
    of a pass instead of guessing how long passes take.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._passes = 0
        self._pass_done = threading.Condition()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def passes(self) -> int:
        """How many looks at the outbox since the start."""
        with self._pass_done:
            return self._passes

    def start(self) -> None:
        if self.running:
            return
        ready = threading.Event()
        self._thread = threading.Thread(
            target=asyncio.run, args=(self._deliver(ready),), name="handoff-outbox", daemon=True
        )
        self._thread.start()
        # stop() needs the loop and its event: they exist once the thread has begun.
        ready.wait()
        logger.info("outbox.worker_started", extra={"outbox": str(self._settings.outbox_dir)})

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ends the loop after the pass under way (each request in it is bounded by the API
        timeout), then waits for the thread."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None or loop is None or stop is None:
            return
        if thread.is_alive():
            loop.call_soon_threadsafe(stop.set)
            thread.join(timeout_s)
        self._thread = None
        logger.info("outbox.worker_stopped", extra={"stopped": not thread.is_alive()})

    def wait_for(self, condition: Callable[[], bool], timeout_s: float) -> bool:
        """Blocks until `condition()` is true, checked now and after every pass; False when
        `timeout_s` went by first."""
        with self._pass_done:
            return self._pass_done.wait_for(condition, timeout_s)

    async def _deliver(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        stop = self._stop = asyncio.Event()
        ready.set()
        settings = self._settings
        outbox = Outbox(settings.outbox_dir)
        # One attempt per pass: the outbox's own backoff replaces quick retries here.
        api = ApiClient(settings, attempts=1)
        rasa = RasaClient(settings)
        try:
            while not stop.is_set():
                try:
                    await deliver_due(outbox, api, rasa, settings)
                except Exception:
                    # The loop must outlive any surprise: a request waits for the next pass.
                    logger.exception("outbox.pass_failed")
                with self._pass_done:
                    self._passes += 1
                    self._pass_done.notify_all()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), settings.outbox_poll_s)
        finally:
            await POOLS.close()
