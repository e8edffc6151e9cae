"""Simulated visitors: scripted French conversations sent through Rasa's REST or socket.io channel.

Every turn is timed from the moment the visitor's message leaves to the moment the bot's
answer is in: the whole list of messages for REST, the first bot message for socket.io
(the channel has no end-of-turn marker, and the first message is what a visitor sees).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import socketio

# Each step is a list of phrasings; a conversation picks one per step, so that the NLU sees
# varied texts, as with real visitors. The first theme question never names Figeac, since the
# third turn moves the question there.
GREETINGS = (
    "Bonjour",
    "Bonjour !",
    "Salut",
    "Bonsoir",
    "Bonjour, nous pensons nous installer dans le Lot",
)
THEME_WITH_TOWN = (
    "Je cherche du travail à Cahors",
    "Quels lycées y a-t-il à Cahors ?",
    "Comment trouver un logement à Gourdon ?",
    "Y a-t-il des médecins à Gramat ?",
    "Que faire le week-end à Souillac ?",
    "Quelles écoles pour mes enfants à Saint-Céré ?",
    "Je voudrais louer une maison vers Cajarc",
    "Comment se déplacer sans voiture à Cahors ?",
)
FIGEAC_FOLLOW_UP = ("Et à Figeac ?", "et à Figeac ?", "Et du côté de Figeac ?", "et pour Figeac ?")
OTHER_THEME = (
    "Et pour les transports ?",
    "Comment trouver un logement ?",
    "Y a-t-il des crèches ?",
    "Quelles activités pour les enfants ?",
    "Je voudrais reprendre une entreprise",
    "Comment trouver un médecin traitant ?",
    "Je cherche une formation pour me reconvertir",
)
THANKS = ("Merci beaucoup", "Merci !", "Super, merci", "Merci pour ces informations")
GOODBYES = ("Au revoir", "À bientôt", "Bonne journée, au revoir", "Au revoir et merci")

LOT_SCRIPT: tuple[tuple[str, ...], ...] = (
    GREETINGS,
    THEME_WITH_TOWN,
    FIGEAC_FOLLOW_UP,
    OTHER_THEME,
    THANKS,
    GOODBYES,
)
# What each step of LOT_SCRIPT is, for the reports' breakdown of the latencies by step.
LOT_STEPS = (
    "greeting",
    "theme question naming a town",
    "Figeac follow-up",
    "another theme",
    "thanks",
    "goodbye",
)

# The same shape for Rasa's starter assistant ("moodbot", English), used as the baseline.
MOODBOT_SCRIPT: tuple[tuple[str, ...], ...] = (
    ("hello", "hi", "hey there", "good morning"),
    ("I am sad", "I am feeling very sad", "not good", "I'm unhappy"),
    ("yes", "indeed", "of course", "that sounds good"),
    ("perfect", "I am great", "amazing", "feeling like a king"),
    ("are you a bot?", "am I talking to a bot?", "are you a human?"),
    ("bye", "goodbye", "see you later", "have a nice day"),
)

Script = tuple[tuple[str, ...], ...]
QUIET_S = 0.3


def conversation(script: Script, rng: random.Random) -> list[str]:
    return [rng.choice(step) for step in script]


@dataclass
class TurnLog:
    """Latencies of the successful turns, the script step of each, and the count of failed
    turns."""

    latencies_s: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    # The index in the script of each successful turn (None when the caller gave none),
    # in the order of latencies_s.
    steps: list[int | None] = field(default_factory=list)

    def ok(self, seconds: float, step: int | None = None) -> None:
        self.latencies_s.append(seconds)
        self.steps.append(step)

    def failed(self, reason: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(reason)

    def merge(self, other: TurnLog) -> None:
        self.latencies_s.extend(other.latencies_s)
        self.steps.extend(other.steps)
        self.errors += other.errors
        self.error_samples.extend(other.error_samples[: 5 - len(self.error_samples)])


def percentile_ms(latencies_s: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile in milliseconds; None when nothing was measured."""
    if not latencies_s:
        return None
    ordered = sorted(latencies_s)
    rank = max(1, round(pct / 100 * len(ordered)))
    return round(ordered[min(rank, len(ordered)) - 1] * 1000, 1)


def summary(log: TurnLog, elapsed_s: float) -> dict[str, Any]:
    turns = len(log.latencies_s)
    return {
        "turns": turns,
        "p50_ms": percentile_ms(log.latencies_s, 50),
        "p95_ms": percentile_ms(log.latencies_s, 95),
        "p99_ms": percentile_ms(log.latencies_s, 99),
        "mean_ms": round(statistics.fmean(log.latencies_s) * 1000, 1) if turns else None,
        "throughput_tps": round(turns / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        "errors": log.errors,
        "error_samples": log.error_samples,
        "elapsed_s": round(elapsed_s, 1),
    }


def by_step(log: TurnLog, names: Sequence[str]) -> list[dict[str, Any]]:
    """Each script step's latencies, and its share of the slowest twentieth of all turns
    (those above the overall p95): which steps make the tail."""
    p95_ms = percentile_ms(log.latencies_s, 95)
    threshold_s = p95_ms / 1000 if p95_ms is not None else float("inf")
    tail = sum(1 for s in log.latencies_s if s > threshold_s)
    rows = []
    for index, name in enumerate(names):
        latencies = [s for s, step in zip(log.latencies_s, log.steps, strict=True) if step == index]
        slow = sum(1 for s in latencies if s > threshold_s)
        rows.append(
            {
                "step": name,
                "turns": len(latencies),
                "p50_ms": percentile_ms(latencies, 50),
                "p95_ms": percentile_ms(latencies, 95),
                "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
                "share_of_tail": round(slow / tail, 2) if tail else None,
            }
        )
    return rows


class RestVisitor:
    """One visitor on the REST channel; a failed turn is counted and the conversation goes on."""

    def __init__(self, client: httpx.AsyncClient, url: str, log: TurnLog) -> None:
        self.client = client
        self.url = f"{url.rstrip('/')}/webhooks/rest/webhook"
        self.log = log
        self.sender = f"bench-{uuid.uuid4().hex[:16]}"

    async def say(self, text: str, step: int | None = None) -> list[dict[str, Any]] | None:
        start = time.perf_counter()
        try:
            response = await self.client.post(
                self.url, json={"sender": self.sender, "message": text}
            )
        except httpx.HTTPError as error:
            self.log.failed(f"{type(error).__name__}: {error}")
            return None
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            self.log.failed(f"HTTP {response.status_code}: {response.text[:200]}")
            return None
        messages: list[dict[str, Any]] = response.json()
        if not messages:
            self.log.failed(f"no answer to {text!r}")
            return messages
        self.log.ok(elapsed, step)
        return messages

    async def close(self) -> None:
        """The REST channel keeps no connection per visitor."""


class SocketIOVisitor:
    """One visitor on the socket.io channel, with the session persistence the widget uses."""

    def __init__(self, url: str, log: TurnLog, timeout_s: float) -> None:
        self.url = url
        self.log = log
        self.timeout_s = timeout_s
        self.session_id = f"bench-{uuid.uuid4().hex[:16]}"
        self.client = socketio.AsyncClient(reconnection=False)
        self._answers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._confirmed = asyncio.Event()
        self.client.on("bot_uttered", self._answers.put)
        self.client.on("session_confirm", self._on_confirm)

    async def _on_confirm(self, _session_id: object) -> None:
        self._confirmed.set()

    async def connect(self) -> bool:
        try:
            await self.client.connect(self.url, transports=["websocket"], wait_timeout=10)
            await self.client.emit("session_request", {"session_id": self.session_id})
            await asyncio.wait_for(self._confirmed.wait(), self.timeout_s)
        except (socketio.exceptions.ConnectionError, TimeoutError) as error:
            self.log.failed(f"socket.io connect: {type(error).__name__}: {error}")
            return False
        return True

    async def say(self, text: str, step: int | None = None) -> list[dict[str, Any]] | None:
        start = time.perf_counter()
        try:
            await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
            first = await asyncio.wait_for(self._answers.get(), self.timeout_s)
        except (socketio.exceptions.SocketIOError, TimeoutError) as error:
            self.log.failed(f"socket.io: {type(error).__name__}: {error}")
            return None
        self.log.ok(time.perf_counter() - start, step)
        answers = [first]
        # The rest of this turn's messages, so that none is taken for the next turn's answer.
        while True:
            try:
                answers.append(await asyncio.wait_for(self._answers.get(), QUIET_S))
            except TimeoutError:
                return answers

    async def close(self) -> None:
        await self.client.disconnect()


Visitor = RestVisitor | SocketIOVisitor
VisitorFactory = Callable[[TurnLog], Visitor]


async def hold_conversation(
    visitor: Visitor,
    texts: Sequence[str],
    reading_time: Callable[[], float] | None = None,
    deadline: float | None = None,
) -> bool:
    """Sends each text in turn; `reading_time` is the pause after each answer (open loop).
    False when the deadline came first.

    A visitor still reading when the deadline comes reads until the deadline, and the
    caller starts no new conversation: when it returned at once, the caller started another
    conversation whose first answer ended it again, so that in the last reading time of a
    run every visitor sent greetings with no pause (a closed loop at several times the
    load, which made the slowest twentieth of the open loop's turns).
    """
    for step, text in enumerate(texts):
        if deadline is not None and time.monotonic() >= deadline:
            return False
        await visitor.say(text, step)
        if reading_time is not None:
            pause = reading_time()
            if deadline is not None and time.monotonic() + pause >= deadline:
                await asyncio.sleep(max(deadline - time.monotonic(), 0.0))
                return False
            await asyncio.sleep(pause)
    return True


def http_client(concurrency: int, timeout_s: float) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency + 5, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(timeout=timeout_s, limits=limits)
