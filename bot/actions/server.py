"""What the action server process owns besides the actions: the outbox's delivery worker
and the pooled connections to the API, started and stopped with the server, and the
freezing of its long-lived objects once it started (bot/gc_freeze.py).

rasa-sdk 3.6 builds its Sanic app, then calls the `attach_sanic_app_extensions` hook of
its plugins (rasa_sdk/plugin.py): it imports a top-level package that must be named
`rasa_sdk_plugins` (at the repository root), which registers this module. Importing the
actions elsewhere (tests, scripts) starts nothing.
"""

from __future__ import annotations

import asyncio

import pluggy
from sanic import Sanic

from bot.actions.api_client import POOLS
from bot.actions.config import get_settings
from bot.actions.outbox import OutboxWorker
from bot.gc_freeze import freeze_after_start

hookimpl = pluggy.HookimplMarker("rasa_sdk")


class Lifecycle:
    """Sanic listeners: the worker starts before the server serves, and the worker and the
    pooled connections end after it stopped."""

    def __init__(self, worker: OutboxWorker) -> None:
        self.worker = worker

    async def start(self, _app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        self.worker.start()

    async def stop(self, _app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        # Joining the worker's thread must not hold the server's loop.
        await asyncio.to_thread(self.worker.stop)
        await POOLS.close()


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    lifecycle = Lifecycle(OutboxWorker(get_settings()))
    app.register_listener(lifecycle.start, "before_server_start")
    # Everything is imported by then: full collections stop walking it (bot/gc_freeze.py).
    app.register_listener(freeze_after_start, "after_server_start")
    app.register_listener(lifecycle.stop, "after_server_stop")
