"""Rasa and the action server freeze their long-lived objects once started (bot/gc_freeze.py)."""

from __future__ import annotations

import asyncio
import gc
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
import rasa.core.run
from rasa.shared.utils.common import minimal_kwargs

from bot import serve
from bot.actions import server
from bot.gc_freeze import freeze_after_start


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


class _App:
    def __init__(self) -> None:
        self.listeners: list[tuple[Any, str]] = []

    def register_listener(self, listener: Any, event: str) -> None:
        self.listeners.append((listener, event))


def test_the_listener_freezes_what_is_alive(unfrozen: None) -> None:
    loaded = [{"model": index} for index in range(1000)]

    asyncio.run(freeze_after_start(None, asyncio.new_event_loop()))

    assert gc.get_freeze_count() >= len(loaded)
    # A full collection no longer walks them.
    assert not any(item is loaded for item in gc.get_objects(generation=2))


def test_the_action_server_freezes_once_started() -> None:
    app = _App()

    server.attach_sanic_app_extensions(app)  # type: ignore[arg-type]

    assert (freeze_after_start, "after_server_start") in app.listeners


def test_rasa_run_gets_the_freeze_after_its_model_is_loaded() -> None:
    seen: dict[str, Any] = {}

    def serve_application(model_path: str | None = None, **kwargs: Any) -> None:
        seen.update(kwargs, model_path=model_path)

    def other(_app: Any, _loop: Any) -> None:
        """A listener given by the caller, kept."""

    serve.with_freeze(serve_application)("model.tar.gz", server_listeners=[(other, "x")])

    assert seen["model_path"] == "model.tar.gz"
    # Rasa loads the model in a before_server_start listener: after_server_start comes later.
    assert seen["server_listeners"] == [(other, "x"), (freeze_after_start, "after_server_start")]


def test_rasa_still_passes_its_arguments_through_the_wrapper() -> None:
    """rasa.api.run keeps only the arguments `serve_application` names: the wrapper shows
    the signature of Rasa's."""
    wrapped = serve.with_freeze(rasa.core.run.serve_application)

    assert inspect.signature(wrapped) == inspect.signature(rasa.core.run.serve_application)
    assert minimal_kwargs({"port": 5005, "enable_api": True, "unknown": 1}, wrapped) == {
        "port": 5005,
        "enable_api": True,
    }
