"""Reloads the knowledge when a file under knowledge/ changes, so editors never restart the API."""

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import structlog
from watchfiles import Change, awatch

from api.content.problems import ContentError
from api.knowledge.service import KnowledgeService

log = structlog.get_logger(__name__)
CONTENT_SUFFIXES = (".md", ".csv", ".yml", ".yaml")
# Editors save in bursts (several files, editor swap files): wait that long for quiet.
DEBOUNCE_MS = 300


def is_content_file(_change: Change, path: str) -> bool:
    name = Path(path).name
    return name.endswith(CONTENT_SUFFIXES) and not name.startswith((".", "~"))


class ReloadsHandled:
    """Counts the changes the watcher has handled (content reloaded, or refused and logged),
    so that a thread can wait for the outcome of an edit rather than ask again and again."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def notify(self) -> None:
        with self._changed:
            self._count += 1
            self._changed.notify_all()

    def wait_for(self, condition: Callable[[], bool], timeout_s: float) -> bool:
        """True once `condition()` holds, checked now and after each handled change; False
        when `timeout_s` went by first. `condition` runs outside the lock: it may call the
        API, whose event loop is the one that notifies."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            seen = self._count
        while not condition():
            left = deadline - time.monotonic()
            with self._changed:
                if left <= 0 or not self._changed.wait_for(partial(self._past, seen), left):
                    return condition()
                seen = self._count
        return True

    def _past(self, seen: int) -> bool:
        return self._count != seen


async def watch_knowledge(
    service: KnowledgeService, stop: asyncio.Event, handled: ReloadsHandled | None = None
) -> None:
    async for changes in awatch(
        service.directory,
        watch_filter=is_content_file,
        debounce=DEBOUNCE_MS,
        step=50,
        stop_event=stop,
    ):
        log.info("knowledge_changed", files=len(changes))
        # On errors the service logs the problems and keeps serving the last good content.
        with contextlib.suppress(ContentError):
            await asyncio.to_thread(service.reload)
        if handled is not None:
            handled.notify()
