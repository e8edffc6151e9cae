"""What Rasa sends the action server, with each settled event written as JSON once: the same
bytes as `json.dumps` of Rasa's own request body, turn after turn, received by a real server."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from conftest import ROOT
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.policies import action_call

ACTION = "action_answer_theme"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


def turn(text: str, intent: str, answer: str) -> list[Event]:
    return [
        UserUttered(text, {"name": intent, "confidence": 0.97}, [], {"text": text}),
        ActionExecuted(ACTION, policy="RulePolicy", confidence=1.0),
        BotUttered(answer, {"buttons": [{"title": "Oui", "payload": "/affirm"}]}),
        SlotSet("last_theme", intent.removeprefix("ask_")),
        ActionExecuted("action_listen"),
    ]


def rasa_body(tracker: DialogueStateTracker, domain: Domain) -> dict[str, Any]:
    remote = RemoteAction(ACTION, EndpointConfig("http://127.0.0.1:1/webhook"))
    return action_call._RASA_ACTION_CALL_FORMAT(remote, tracker, domain)


def test_the_body_is_written_as_json_dumps_writes_it_turn_after_turn(domain: Domain) -> None:
    tracker = DialogueStateTracker.from_events("visitor-1", [], domain.slots)
    remote = RemoteAction(ACTION, EndpointConfig("http://127.0.0.1:1/webhook"))
    for number in range(6):
        for event in turn(f"Et à Figeac ? {number}", "ask_housing", "Voici « les aides »…"):
            tracker.update(event)
            body = remote._action_call_format(tracker, domain)

            assert isinstance(body, action_call.ActionCall)
            assert body == rasa_body(tracker, domain)
            assert body.json_text == json.dumps(rasa_body(tracker, domain))


def test_an_event_changed_during_its_turn_is_written_as_it_is_now(domain: Domain) -> None:
    tracker = DialogueStateTracker.from_events(
        "visitor-2", turn("un logement ?", "ask_housing", "Voici."), domain.slots
    )
    tracker.update(UserUttered("à Figeac", {"name": "inform_commune"}))
    remote = RemoteAction(ACTION, EndpointConfig("http://127.0.0.1:1/webhook"))
    # As in Rasa's processor: the action runs on a copy holding the prediction's events, which
    # are logged on the conversation's tracker afterwards, gaining the model's id.
    predicted = ActionExecuted(ACTION, policy="RulePolicy", confidence=1.0)
    running = tracker.copy()
    running.update(predicted)
    remote._action_call_format(running, domain)
    tracker.model_id = "model-1"
    tracker.update(predicted)
    tracker.update(UserUttered("et à Cahors ?", {"name": "inform_commune"}))
    body = remote._action_call_format(tracker, domain)

    assert predicted.metadata == {"model_id": "model-1"}
    assert isinstance(body, action_call.ActionCall)
    assert body.json_text == json.dumps(rasa_body(tracker, domain))


def test_rasa_endpoints_send_the_written_body() -> None:
    async def serializer() -> Any:
        async with EndpointConfig("http://127.0.0.1:1/webhook").session() as session:
            return session.json_serialize

    assert asyncio.run(serializer()) is action_call._serialize


class _Recorder(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        answer = json.dumps({"events": [], "responses": [{"text": "Bonjour"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def action_server() -> Iterator[str]:
    _Recorder.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhook"
    server.shutdown()
    thread.join()


def test_the_action_server_receives_rasa_body(action_server: str, domain: Domain) -> None:
    events = [event for number in range(3) for event in turn(f"q{number}", "ask_jobs", "R")]
    tracker = DialogueStateTracker.from_events("visitor-3", events, domain.slots)
    tracker.update(UserUttered("et à Cahors ?", {"name": "inform_commune"}))
    remote = RemoteAction(ACTION, EndpointConfig(action_server))

    asyncio.run(
        remote.run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain
        )
    )

    assert [json.loads(body) for body in _Recorder.bodies] == [
        json.loads(json.dumps(rasa_body(tracker, domain)))
    ]
    assert _Recorder.bodies[0].decode() == json.dumps(rasa_body(tracker, domain))
