"""Stored events find their class through the table of type names, as with Rasa's own lookup."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

import bot.stores  # noqa: F401  (installs the table, as loading the tracker store does)
from bot.stores.event_types import _RASA_RESOLVE_BY_TYPE, resolve_by_type


def test_rasa_reads_stored_events_through_the_table() -> None:
    event = Event.from_parameters({"event": "slot", "name": "commune", "value": "46102"})

    assert Event.resolve_by_type is resolve_by_type
    assert event == SlotSet("commune", "46102")


def test_every_event_type_resolves_to_the_class_rasa_would_pick() -> None:
    names = {event_class.type_name for event_class in all_subclasses(Event)}

    assert names
    for name in names:
        assert resolve_by_type(name) is _RASA_RESOLVE_BY_TYPE(name)


def test_an_event_class_imported_after_the_first_lookup_is_found() -> None:
    assert resolve_by_type("user") is UserUttered

    class LateEvent(SlotSet):
        type_name = "late_event_for_the_table_test"

    assert resolve_by_type("late_event_for_the_table_test") is LateEvent


def test_unknown_names_behave_as_in_rasa() -> None:
    assert resolve_by_type("not_an_event", default=SlotSet) is SlotSet
    assert resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name 'not_an_event'"):
        resolve_by_type("not_an_event")
