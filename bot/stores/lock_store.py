"""Rasa's Redis lock store, with waiting messages that survive a crashed server's ticket.

Rasa 3.6 serves the messages of one conversation in ticket order. When a server dies while
it holds a ticket, the next message (often the same one, retried through the load balancer)
waits for that ticket to expire. But its own ticket was issued at almost the same moment
and expires in the same clean-up, and Rasa then waits for a ticket that no longer exists
until the request times out: the visitor's message is lost. Here a waiter whose ticket has
expired takes it back, with a fresh lifetime, and is served in turn.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError
from rasa.core.lock_store import RedisLockStore as RasaRedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)


class RedisLockStore(RasaRedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig, **_: Any) -> None:
        # Rasa builds custom lock stores from their endpoint configuration.
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if not lock:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if all(held.number != ticket for held in lock.tickets):
                logger.debug(f"Ticket {ticket} of '{conversation_id}' expired while waiting.")
                lock.tickets.append(Ticket(ticket, time.time() + LOCK_LIFETIME))
                lock.tickets.sort(key=lambda held: held.number)
                self.save_lock(lock)
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)
