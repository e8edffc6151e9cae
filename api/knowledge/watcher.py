"""Reloads the knowledge when a file under knowledge/ changes, so editors never restart the API."""

import asyncio
import contextlib
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


async def watch_knowledge(service: KnowledgeService, stop: asyncio.Event) -> None:
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
