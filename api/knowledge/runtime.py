"""Start-up and shutdown of the knowledge service inside the API process."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from api.content.problems import ContentError
from api.core.config import get_settings
from api.knowledge.service import KnowledgeService
from api.knowledge.watcher import ReloadsHandled, watch_knowledge


def knowledge_service(app: FastAPI) -> KnowledgeService:
    """The app's service, created on first use (tests may skip the lifespan)."""
    service: KnowledgeService | None = getattr(app.state, "knowledge", None)
    if service is None:
        settings = get_settings()
        service = KnowledgeService.from_settings(settings)
        app.state.knowledge = service
    return service


@contextlib.asynccontextmanager
async def knowledge_runtime(app: FastAPI) -> AsyncIterator[None]:
    """Load and index the knowledge at start-up, then watch it if `knowledge_watch` is set."""
    service = knowledge_service(app)
    with contextlib.suppress(ContentError):
        # Broken content at start-up: the API still starts, the editors' page says why.
        await asyncio.to_thread(service.reload)
    stop = asyncio.Event()
    # Who waits for an edit to be served (the tests) waits on this, not on the clock.
    app.state.knowledge_reloads = handled = ReloadsHandled()
    watcher = (
        asyncio.create_task(watch_knowledge(service, stop, handled))
        if get_settings().knowledge_watch
        else None
    )
    try:
        yield
    finally:
        stop.set()
        if watcher is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(watcher, timeout=5)
