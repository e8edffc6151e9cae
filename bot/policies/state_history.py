"""Rasa computes the dialogue states of a conversation once, then only those of its new events.

To predict each next action, RulePolicy (twice: by text, then by intent) and
MemoizationPolicy ask for the states of the whole conversation (`Domain.
states_for_tracker_history`): Rasa replays every event on a fresh tracker and builds a
state before each action, so a prediction at the 40th turn of a conversation cost several
times one at the first, and a turn makes several predictions (`python -m bench
long_conversation`, profiled with `python -m bench.profile --long-conversations`).

`install()` replaces that method with one that keeps, for each conversation and kind of
call, the replayed tracker and the states built so far. When the tracker it is given holds
the same event objects as last time plus new ones, it replays and builds the states of the
new events only; otherwise (another conversation's tracker under the same id, events
removed, a restart, a new session, an undone or loop-related event, whose effect on the
history Rasa works out from the whole list) it computes everything again. The states
themselves are built by Rasa's own `Domain` helpers in Rasa's order, so they are the same
list Rasa would build; the tests compare the two on many conversations.

The bot's tracker store hands out the same event objects from one turn to the next
(bot/stores/session_events.py), except the last turn's: the history saw them as the turn
made them, the store reads them back from their stored rows. Those are taken as the same
events when their stored form (the JSON Rasa writes) is the same, which is what Rasa relies
on itself when it rebuilds a conversation from the store; any difference (or an event that
cannot be written as JSON) and the history is built again. So a conversation's history is
built once per server. The kept histories are bounded by a total number of events.
"""

from __future__ import annotations

import json
import operator
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

_RASA_STATES_FOR_TRACKER_HISTORY = Domain.states_for_tracker_history

# Events whose place in `applied_events()` depends on more than themselves.
_RECOMPUTE_AFTER = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted, ActiveLoop)

# A turn adds about nine events; a longer run of events read back from the store is not
# compared, the history is built again.
MAX_REREAD_EVENTS = 100

# Histories share their events with the trackers and the tracker store: what they add is a
# replayed tracker and the states, about 130 bytes an event (measured). Two kinds of call a
# conversation (RulePolicy's, MemoizationPolicy's): twice the tracker store's bound, so that
# the histories keep no event the store has let go.
DEFAULT_MAX_EVENTS = 12_000


def _same_stored_form(read: Event, seen: Event) -> bool:
    try:
        return json.dumps(read.as_dict(), sort_keys=True) == json.dumps(
            seen.as_dict(), sort_keys=True
        )
    except (TypeError, ValueError):
        return False


class _History:
    """One tracker's states so far, as `Domain.states_for_tracker_history` builds them."""

    def __init__(
        self,
        domain: Domain,
        tracker: DialogueStateTracker,
        omit_unset_slots: bool,
        ignore_rule_only_turns: bool,
        rule_only_data: dict[str, Any] | None,
    ) -> None:
        self.domain = domain
        self.omit_unset_slots = omit_unset_slots
        self.ignore_rule_only_turns = ignore_rule_only_turns
        self.rule_only_data = rule_only_data
        self.events: list[Event] = list(tracker.events)
        self.loop_names = {
            event.name for event in self.events if isinstance(event, ActiveLoop) and event.name
        }
        self.replay = tracker.init_copy()
        self.states: list[State] = []
        self.last_ml_action_sub_state: dict[str, Any] | None = None
        self.turn_was_hidden = False
        self._apply(tracker.applied_events())

    def new_events(self, tracker: DialogueStateTracker) -> list[Event] | None:
        """The tracker's events past this history's, or None if it is not a continuation of it
        that can be replayed event by event."""
        events = list(tracker.events)
        kept = len(self.events)
        if len(events) < kept:
            return None
        if not all(map(operator.is_, events, self.events)):
            first = next(i for i, seen in enumerate(self.events) if events[i] is not seen)
            if kept - first > MAX_REREAD_EVENTS or not all(
                map(_same_stored_form, events[first:kept], self.events[first:])
            ):
                return None
            # The last turn's events, as read back from the tracker store.
            self.events[first:] = events[first:kept]
        new = events[kept:]
        for event in new:
            if isinstance(event, _RECOMPUTE_AFTER) or (
                isinstance(event, ActionExecuted) and event.action_name in self.loop_names
            ):
                return None
        return new

    def extend(self, new: list[Event]) -> None:
        self.events.extend(new)
        self._apply(new)

    def states_now(self) -> list[State]:
        state, _, _ = self._state(False, self.last_ml_action_sub_state, self.turn_was_hidden)
        return [*self.states, state] if state is not None else list(self.states)

    def _apply(self, applied: Iterable[Event]) -> None:
        # Rasa's `generate_all_prior_trackers`: a state before each action, then the event.
        for event in applied:
            if isinstance(event, ActionExecuted):
                state, self.last_ml_action_sub_state, self.turn_was_hidden = self._state(
                    event.hide_rule_turn, self.last_ml_action_sub_state, self.turn_was_hidden
                )
                if state is not None:
                    self.states.append(state)
            self.replay.update(event)

    def _state(
        self,
        hide_rule_turn: bool,
        last_ml_action_sub_state: dict[str, Any] | None,
        turn_was_hidden: bool,
    ) -> tuple[State | None, dict[str, Any] | None, bool]:
        # The body of Rasa's loop in `Domain.states_for_tracker_history`, line for line.
        domain, tracker = self.domain, self.replay
        if self.ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = domain._get_prev_action_sub_state(tracker)
            if (
                not tracker.followup_action
                and tracker.latest_action_name != tracker.active_loop_name
            ):
                turn_was_hidden = hide_rule_turn
            if turn_was_hidden:
                return None, last_ml_action_sub_state, turn_was_hidden
        state = domain.get_active_state(tracker, omit_unset_slots=self.omit_unset_slots)
        if self.ignore_rule_only_turns:
            domain._remove_rule_only_features(state, self.rule_only_data)
            if self.states:
                domain._substitute_rule_only_user_input(state, self.states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = last_ml_action_sub_state
        return domain._clean_state(state), last_ml_action_sub_state, turn_was_hidden


class _Histories:
    def __init__(self, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        self.max_events = max_events
        self._kept: OrderedDict[tuple[Any, ...], _History] = OrderedDict()
        self._events = 0

    def states(
        self,
        domain: Domain,
        tracker: DialogueStateTracker,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        key = (
            id(domain),
            tracker.sender_id,
            type(tracker),
            tracker.is_rule_tracker,
            tracker._max_event_history,
            tuple(tracker.slots),
            omit_unset_slots,
            ignore_rule_only_turns,
            json.dumps(rule_only_data, sort_keys=True, default=str),
        )
        history = self._kept.pop(key, None)
        if history is not None:
            self._events -= len(history.events)
            # A history holds its domain, so an id seen again is the same domain.
            new = history.new_events(tracker)
            if new is None:
                history = None
            else:
                history.extend(new)
        if history is None:
            history = _History(
                domain, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
            )
        self._kept[key] = history
        self._events += len(history.events)
        while self._events > self.max_events and len(self._kept) > 1:
            _, dropped = self._kept.popitem(last=False)
            self._events -= len(dropped.events)
        return history.states_now()


HISTORIES = _Histories()


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    return HISTORIES.states(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)


def install() -> None:
    Domain.states_for_tracker_history = states_for_tracker_history
