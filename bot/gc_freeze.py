"""Keeps CPython's full garbage collections out of the turns of Rasa and the action server.

A full (generation 2) collection walks every object the process tracks. Rasa's process
holds about a million that live as long as it does (the model, spaCy's French pipeline,
the domain), the action server about 160,000; under the open loop's 100 visitors a full
collection came about once a minute in each and held the event loop for 0.4 to 0.9 s in
Rasa and 0.1 to 0.3 s in the action server (2 cores), every turn in flight waiting
(bench/open_loop.py; measured with gc.callbacks). Once everything is loaded, gc.freeze()
moves the objects alive then out of the collector's reach: later collections see only
the objects the turns make, and the full ones took under 15 ms in the same runs.

The objects frozen are never collected as cycles, which is what they are meant for: they
live until the process ends. A model swapped in at run time (Rasa's PUT /model) is not
frozen, and the frozen old one's cyclic garbage stays: the stack never does that.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any


def freeze_long_lived() -> None:
    """Collects the garbage of the start-up first, so that it is not kept for ever."""
    gc.collect()
    gc.freeze()


async def freeze_after_start(_app: Any, _loop: asyncio.AbstractEventLoop) -> None:
    """A Sanic `after_server_start` listener: Rasa loads its model before the server starts."""
    freeze_long_lived()
