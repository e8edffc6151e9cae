"""Rasa writes each event of a conversation as JSON once for the action server, not on every call.

Every custom action call sends the whole conversation to the action server (the actions read
it: the transcript of a handoff, the last question on a theme). Rasa 3.6 turns every event
into JSON again on every call (`RemoteAction._action_call_format`, then aiohttp's
`json.dumps`): at the 40th turn of a conversation, about 230 KB and the largest share of
what a turn costs more than the first (`python -m bench.profile --long-conversations`).

`install()` keeps Rasa's request body (the same dictionary, built by Rasa) and attaches its
JSON text, written with `json.dumps` like aiohttp would, except that the events before the
visitor's latest message take their JSON from a table kept per event object. An event can
still change while its turn is under way (Rasa adds the model's id to the metadata of the
events a prediction brings when it logs them, after the action has run on a copy), so the
events from the latest message on are written afresh on every call. The text is the same,
byte for byte, as `json.dumps` of the dictionary; the tests check it. Rasa's endpoints then
send that text as the body (`EndpointConfig.session` with a serializer that uses it); any
other body is written by `json.dumps` as before.
"""

from __future__ import annotations

import functools
import json
import uuid
import weakref
from typing import Any

import aiohttp
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

_RASA_ACTION_CALL_FORMAT = RemoteAction._action_call_format
_RASA_SESSION = EndpointConfig.session

# Stands for the events in the body while the rest is written, then replaced by them.
_EVENTS_MARK = json.dumps(f"events-{uuid.uuid4().hex}")

# id of the event -> (a weak reference to it, its JSON); an entry goes with its event.
_WRITTEN: dict[int, tuple[weakref.ref[Event], str]] = {}


class ActionCall(dict[str, Any]):
    """Rasa's request body for the action server, with its JSON text."""

    json_text: str


def _written(event: Event) -> str:
    key = id(event)
    kept = _WRITTEN.get(key)
    if kept is not None and kept[0]() is event:
        return kept[1]
    text = json.dumps(event.as_dict())
    _WRITTEN[key] = (weakref.ref(event, functools.partial(_forget, key)), text)
    return text


def _forget(key: int, ref: weakref.ref[Event]) -> None:
    # The id may already name a newer event: only its own entry goes.
    kept = _WRITTEN.get(key)
    if kept is not None and kept[0] is ref:
        del _WRITTEN[key]


def body_text(body: dict[str, Any], tracker: DialogueStateTracker) -> str:
    """`json.dumps(body)`, with the settled events' JSON taken from the table."""
    events = list(tracker.events)
    as_dicts = body["tracker"]["events"]
    if len(as_dicts) != len(events):
        return json.dumps(body)
    # Events from the visitor's latest message on may still change: written afresh.
    latest = next(
        (index for index in reversed(range(len(events))) if isinstance(events[index], UserUttered)),
        len(events),
    )
    parts = [
        _written(event) if index < latest else json.dumps(as_dicts[index])
        for index, event in enumerate(events)
    ]
    shell = {**body, "tracker": {**body["tracker"], "events": json.loads(_EVENTS_MARK)}}
    return json.dumps(shell).replace(_EVENTS_MARK, "[" + ", ".join(parts) + "]", 1)


def _action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> dict[str, Any]:
    body = ActionCall(_RASA_ACTION_CALL_FORMAT(self, tracker, domain))
    body.json_text = body_text(body, tracker)
    return body


def _serialize(value: Any) -> str:
    if isinstance(value, ActionCall):
        return value.json_text
    return json.dumps(value)


def _session(self: EndpointConfig) -> aiohttp.ClientSession:
    session: aiohttp.ClientSession = _RASA_SESSION(self)
    session._json_serialize = _serialize
    return session


def install() -> None:
    RemoteAction._action_call_format = _action_call_format
    EndpointConfig.session = _session
