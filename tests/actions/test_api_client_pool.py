"""The actions reuse their connections to the API: one pool per event loop, closed with the
action server."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import run_in_new_loop, use_settings
from sanic import Sanic

from bot.actions import server
from bot.actions.api_client import POOLS, ApiClient
from bot.actions.config import Settings, get_settings
from bot.actions.outbox import OutboxWorker


class KeepAliveApi:
    """Answers every commune resolution with "unknown" over HTTP/1.1 keep-alive and records
    the client port of each request, i.e. which connection carried it."""

    def __init__(self) -> None:
        self.ports: list[int] = []
        ports = self.ports

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                ports.append(self.client_address[1])
                body = json.dumps({"status": "unknown", "commune": None, "alternatives": []})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()


@pytest.fixture
def keep_alive_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[KeepAliveApi]:
    api = KeepAliveApi()
    use_settings(monkeypatch, api.url, tmp_path / "outbox", api.url)
    yield api
    api.server.shutdown()
    get_settings.cache_clear()


async def resolve(times: int, settings: Settings | None = None) -> None:
    for _ in range(times):
        resolution = await ApiClient(settings).resolve_commune("Nulle-part")
        assert resolution.status == "unknown"


def test_requests_in_one_loop_share_one_connection(keep_alive_api: KeepAliveApi) -> None:
    run_in_new_loop(resolve(3))

    assert len(keep_alive_api.ports) == 3
    assert len(set(keep_alive_api.ports)) == 1


def test_each_event_loop_gets_its_own_pool(keep_alive_api: KeepAliveApi) -> None:
    run_in_new_loop(resolve(1))
    run_in_new_loop(resolve(1))

    assert len(set(keep_alive_api.ports)) == 2


def test_a_closed_pool_is_replaced_by_a_new_one(keep_alive_api: KeepAliveApi) -> None:
    async def resolve_close_resolve() -> None:
        await resolve(1)
        await POOLS.close()
        await resolve(1)

    run_in_new_loop(resolve_close_resolve())

    assert len(set(keep_alive_api.ports)) == 2


def test_the_action_server_closes_its_pool_and_worker_when_it_stops(
    keep_alive_api: KeepAliveApi,
) -> None:
    lifecycle = server.Lifecycle(OutboxWorker(get_settings()))
    app = Sanic("test_pool_closed_with_server")

    async def start_resolve_stop() -> bool:
        loop = asyncio.get_running_loop()
        await lifecycle.start(app, loop)
        assert lifecycle.worker.running
        await resolve(1)
        client = POOLS.client()
        await lifecycle.stop(app, loop)
        return client.is_closed

    try:
        assert asyncio.run(start_resolve_stop())
    finally:
        Sanic._app_registry.pop("test_pool_closed_with_server", None)
    assert not lifecycle.worker.running
