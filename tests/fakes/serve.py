"""A local ASGI app served by uvicorn in a thread, for the doubles of other servers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

# Generous: starting is quick, but a loaded machine must not fail the tests.
START_TIMEOUT_S = 30.0


class _Server(uvicorn.Server):
    """Says when its start-up is over, instead of being asked until it is."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.startup_over = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.startup_over.set()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: Any, port: int) -> Iterator[None]:
    """Serves `app` on 127.0.0.1:`port` for the duration of the block."""
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    if not server.startup_over.wait(START_TIMEOUT_S) or not server.started:
        server.should_exit = True
        raise RuntimeError(f"the local server on port {port} did not start")
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
