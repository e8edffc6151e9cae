"""LiveHandoffPolicy: while a referent is live, visitor messages go to them, not to the bot."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.live_handoff import LiveHandoffPolicy

FORWARD = "action_forward_to_referent"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture
def policy(tmp_path: Path) -> LiveHandoffPolicy:
    return LiveHandoffPolicy.create(
        LiveHandoffPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("live_handoff"),
        ExecutionContext(GraphSchema({}), "test-model"),
    )


def tracker(domain: Domain, *events: Event) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("visitor-1", list(events), domain.slots)


def said(intent: str, text: str = "bonjour") -> list[Event]:
    return [UserUttered(text, {"name": intent, "confidence": 0.99})]


def predicted(policy: LiveHandoffPolicy, state: DialogueStateTracker, domain: Domain) -> str | None:
    prediction = policy.predict_action_probabilities(state, domain)
    if max(prediction.probabilities) == 0.0:
        return None
    return domain.action_names_or_texts[prediction.probabilities.index(1.0)]


def live(*events: Event) -> list[Event]:
    return [ActionExecuted(ACTION_LISTEN_NAME), SlotSet("handoff_live", True), *events]


def test_visitor_message_goes_to_the_referent_while_live(
    policy: LiveHandoffPolicy, domain: Domain
) -> None:
    state = tracker(domain, *live(*said("ask_housing", "et pour le logement ?")))

    assert predicted(policy, state, domain) == FORWARD
    assert policy.priority > 4  # above RulePolicy, whose rule for ask_housing also fires


def test_after_forwarding_the_bot_listens(policy: LiveHandoffPolicy, domain: Domain) -> None:
    state = tracker(domain, *live(*said("nlu_fallback"), ActionExecuted(FORWARD)))

    assert predicted(policy, state, domain) == ACTION_LISTEN_NAME


def test_external_intents_are_left_to_the_rules(policy: LiveHandoffPolicy, domain: Domain) -> None:
    state = tracker(domain, *live(*said("EXTERNAL_referent_message", "EXTERNAL: x")))

    assert predicted(policy, state, domain) is None


def test_policy_abstains_when_no_referent_is_live(
    policy: LiveHandoffPolicy, domain: Domain
) -> None:
    state = tracker(domain, ActionExecuted(ACTION_LISTEN_NAME), *said("ask_jobs"))

    assert predicted(policy, state, domain) is None


def test_policy_abstains_once_the_referent_closed(
    policy: LiveHandoffPolicy, domain: Domain
) -> None:
    state = tracker(
        domain,
        *live(
            *said("EXTERNAL_handoff_closed", "EXTERNAL: x"),
            ActionExecuted("action_handoff_closed"),
            SlotSet("handoff_live", False),
            ActionExecuted(ACTION_LISTEN_NAME),
            *said("ask_jobs", "et l'emploi ?"),
        ),
    )

    assert predicted(policy, state, domain) is None


COMMENT = "action_record_satisfaction_comment"


def test_the_message_after_the_closing_rating_is_taken_as_the_comment(
    policy: LiveHandoffPolicy, domain: Domain
) -> None:
    state = tracker(
        domain,
        ActionExecuted(ACTION_LISTEN_NAME),
        SlotSet("satisfaction_comment_pending", True),
        *said("thank", "Très bon accueil"),
    )

    assert predicted(policy, state, domain) == COMMENT


def test_after_the_comment_the_assistant_listens_again(
    policy: LiveHandoffPolicy, domain: Domain
) -> None:
    state = tracker(
        domain,
        ActionExecuted(ACTION_LISTEN_NAME),
        SlotSet("satisfaction_comment_pending", True),
        *said("thank", "Très bon accueil"),
        ActionExecuted(COMMENT),
        SlotSet("satisfaction_comment_pending", False),
    )

    assert predicted(policy, state, domain) == ACTION_LISTEN_NAME
