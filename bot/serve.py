"""`python -m bot.serve run …`: Rasa's own command line (the arguments of `rasa run`), with
one addition: once the model is loaded and the server started, the objects that live as
long as the process are frozen out of the garbage collector's reach (bot/gc_freeze.py).

Rasa offers no hook after its model is loaded, but its `serve_application` takes Sanic
listeners (`server_listeners`), which `rasa run` never passes: this wraps it to add one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from bot.gc_freeze import freeze_after_start

LISTENER = (freeze_after_start, "after_server_start")


def with_freeze(serve: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(serve)
    def serve_application(*args: Any, **kwargs: Any) -> Any:
        listeners = [*(kwargs.pop("server_listeners", None) or []), LISTENER]
        return serve(*args, server_listeners=listeners, **kwargs)

    return serve_application


def main() -> None:
    import rasa.core.run
    from rasa.__main__ import main as rasa_main

    # rasa.api.run looks it up on the module when `rasa run` starts the server.
    rasa.core.run.serve_application = with_freeze(rasa.core.run.serve_application)
    rasa_main()


if __name__ == "__main__":
    main()
