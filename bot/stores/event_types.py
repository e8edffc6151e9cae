"""Rasa finds a stored event's class in a table of type names, not by listing every class.

On every visitor message Rasa rebuilds the conversation's tracker from all its stored events
(`DialogueStateTracker.from_dict`), and Rasa 3.6's `Event.resolve_by_type` finds each event's
class by listing every subclass of `Event` again (recursively, with an `inspect.isabstract`
check on each) until one has the type name: about a tenth of a millisecond an event, paid
for every event of the conversation on every turn. A conversation gains about nine events a
turn, so its 40th turn paid tens of milliseconds more than its first for this lookup alone
(`python -m bench long_conversation`, profiled with py-spy).

`install()` replaces it with a dictionary of the same classes, first match kept as in Rasa's
order, built on first use and rebuilt when a name is missing (a class imported since); a
name still missing goes to Rasa's own lookup, so `topic`, `default` and the error for an
unknown name are Rasa's.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_RASA_RESOLVE_BY_TYPE = Event.resolve_by_type
_BY_TYPE_NAME: dict[str, type[Event]] = {}


def _rebuild() -> None:
    _BY_TYPE_NAME.clear()
    for event_class in all_subclasses(Event):
        _BY_TYPE_NAME.setdefault(event_class.type_name, event_class)


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> Any:
    found = _BY_TYPE_NAME.get(type_name)
    if found is None:
        _rebuild()
        found = _BY_TYPE_NAME.get(type_name)
    if found is not None:
        return found
    return _RASA_RESOLVE_BY_TYPE(type_name, default)


def install() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)
