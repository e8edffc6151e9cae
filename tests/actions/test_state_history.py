"""The dialogue states of a conversation, built once and then for its new events only, are
the states Rasa's own `Domain.states_for_tracker_history` builds, turn after turn, through
forms, fallbacks that undo a message, restarts and new sessions."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import ROOT
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

# Importing the package installs the kept histories, as loading the model does.
from bot.policies import state_history

RULE_ONLY = {"slots": ["handoff_live"], "active_loops": ["handoff_form"]}
# RulePolicy's call, then MemoizationPolicy's (rule-only turns left out), with and without
# the rule-only slots and loops.
CALLS = ((False, None), (True, None), (True, RULE_ONLY))


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


def rasa_states(
    domain: Domain,
    tracker: DialogueStateTracker,
    ignore: bool,
    rule_only: dict[str, list[str]] | None,
) -> list[State]:
    return state_history._RASA_STATES_FOR_TRACKER_HISTORY(
        domain, tracker, ignore_rule_only_turns=ignore, rule_only_data=rule_only
    )


def asked(intent: str, text: str, *, hidden: bool = True) -> list[Event]:
    return [
        UserUttered(text, {"name": intent, "confidence": 0.99}),
        DefinePrevUserUtteredFeaturization(False),
        ActionExecuted("action_answer_theme", hide_rule_turn=hidden),
        BotUttered("Voici ce que je sais."),
        SlotSet("last_theme", intent.removeprefix("ask_")),
        ActionExecuted(ACTION_LISTEN_NAME, hide_rule_turn=hidden),
    ]


def conversation() -> Iterator[Event]:
    yield ActionExecuted("action_session_start")
    yield SessionStarted()
    yield ActionExecuted(ACTION_LISTEN_NAME)
    yield from asked("ask_housing", "Comment trouver un logement à Gourdon ?")
    yield from asked("ask_jobs", "Je cherche du travail", hidden=False)
    # A form: its loop's events change which earlier events Rasa counts.
    yield UserUttered("je veux parler à quelqu'un", {"name": "request_handoff"})
    yield ActionExecuted("handoff_form")
    yield ActiveLoop("handoff_form")
    yield SlotSet(REQUESTED_SLOT, "first_name")
    yield ActionExecuted(ACTION_LISTEN_NAME)
    yield UserUttered("Marie", {"name": "inform"})
    yield ActionExecuted("handoff_form")
    yield SlotSet("first_name", "Marie")
    yield ActiveLoop(None)
    yield SlotSet(REQUESTED_SLOT, None)
    yield ActionExecuted(ACTION_LISTEN_NAME)
    # The fallback ladder undoes a message it could not place.
    yield UserUttered("gloubi", {"name": "nlu_fallback"})
    yield ActionExecuted("action_fallback_ladder")
    yield UserUtteranceReverted()
    yield ActionExecuted(ACTION_LISTEN_NAME)
    yield from asked("ask_schools", "Et les écoles ?")
    yield ActionExecuted("action_answer_theme")
    yield ActionReverted()
    yield from asked("ask_health", "Un médecin ?")
    yield Restarted()
    yield ActionExecuted(ACTION_LISTEN_NAME)
    yield from asked("ask_transport", "Et les bus ?")
    yield ActionExecuted("action_session_start")
    yield SessionStarted()
    yield ActionExecuted(ACTION_LISTEN_NAME)
    yield from asked("ask_leisure", "Que faire le week-end ?", hidden=False)


def test_states_match_rasa_at_every_event_of_a_growing_conversation(domain: Domain) -> None:
    tracker = DialogueStateTracker.from_events("visitor-growing", [], domain.slots)
    compared = 0
    for event in conversation():
        tracker.update(event)
        for ignore, rule_only in CALLS:
            kept = domain.states_for_tracker_history(
                tracker, ignore_rule_only_turns=ignore, rule_only_data=rule_only
            )
            assert kept == rasa_states(domain, tracker, ignore, rule_only), (
                f"after {len(tracker.events)} events, ignore_rule_only_turns={ignore}"
            )
            compared += 1
    assert compared == 3 * len(list(conversation()))


def test_a_tracker_copy_and_a_rebuilt_tracker_give_rasa_states(domain: Domain) -> None:
    events = list(conversation())[:20]
    tracker = DialogueStateTracker.from_events("visitor-copies", events, domain.slots)
    first = domain.states_for_tracker_history(tracker)

    copy = tracker.copy()  # the same event objects, as in Rasa's action runs
    copy.update(UserUttered("et à Figeac ?", {"name": "inform_commune"}))
    rebuilt = DialogueStateTracker.from_events("visitor-copies", events[:12], domain.slots)

    assert first == rasa_states(domain, tracker, False, None)
    assert domain.states_for_tracker_history(copy) == rasa_states(domain, copy, False, None)
    assert domain.states_for_tracker_history(rebuilt) == rasa_states(domain, rebuilt, False, None)


def test_two_conversations_under_one_id_do_not_mix(domain: Domain) -> None:
    housing = DialogueStateTracker.from_events(
        "visitor-same-id", asked("ask_housing", "un logement ?"), domain.slots
    )
    jobs = DialogueStateTracker.from_events(
        "visitor-same-id", asked("ask_jobs", "du travail ?", hidden=False), domain.slots
    )

    for tracker in (housing, jobs, housing):
        for ignore, rule_only in CALLS:
            assert domain.states_for_tracker_history(
                tracker, ignore_rule_only_turns=ignore, rule_only_data=rule_only
            ) == rasa_states(domain, tracker, ignore, rule_only)


def test_kept_histories_stay_within_their_bound(domain: Domain) -> None:
    histories = state_history._Histories(max_events=40)
    for number in range(10):
        tracker = DialogueStateTracker.from_events(
            f"visitor-{number}", asked("ask_housing", "un logement ?"), domain.slots
        )
        assert histories.states(domain, tracker) == rasa_states(domain, tracker, False, None)

    assert histories._events <= 40
    assert len(histories._kept) == 40 // len(asked("ask_housing", "un logement ?"))


def read_back(tracker: DialogueStateTracker, domain: Domain) -> DialogueStateTracker:
    """The tracker as the next turn reads it from the tracker store: its events parsed again
    from the JSON Rasa stores."""
    stored = [json.loads(json.dumps(event.as_dict())) for event in tracker.events]
    return DialogueStateTracker.from_dict(tracker.sender_id, stored, domain.slots)


def test_turn_after_turn_through_the_tracker_store_the_states_are_rasa_states(
    domain: Domain,
) -> None:
    events = list(conversation())
    tracker = DialogueStateTracker.from_events("visitor-store", [], domain.slots)
    for start in range(0, len(events), 6):
        tracker = read_back(tracker, domain)
        for event in events[start : start + 6]:
            tracker.update(event)
            for ignore, rule_only in CALLS:
                assert domain.states_for_tracker_history(
                    tracker, ignore_rule_only_turns=ignore, rule_only_data=rule_only
                ) == rasa_states(domain, tracker, ignore, rule_only)


def test_an_event_read_back_differently_is_not_taken_for_the_one_seen(domain: Domain) -> None:
    events = [ActionExecuted(ACTION_LISTEN_NAME), *asked("ask_housing", "un logement ?")]
    seen = DialogueStateTracker.from_events("visitor-changed", events, domain.slots)
    before = domain.states_for_tracker_history(seen, ignore_rule_only_turns=True)
    stored = [json.loads(json.dumps(event.as_dict())) for event in seen.events]
    for event in stored:
        event["hide_rule_turn"] = False  # no longer rule-only turns
    read = DialogueStateTracker.from_dict("visitor-changed", stored, domain.slots)
    read.update(UserUttered("et à Figeac ?", {"name": "inform_commune"}))
    after = domain.states_for_tracker_history(read, ignore_rule_only_turns=True)

    assert after == rasa_states(domain, read, True, None)
    assert after[:-1] != before
