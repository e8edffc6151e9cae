"""Live relay: the referent's words reach the visitor, the visitor's reach the case."""

from __future__ import annotations

import pytest
from conftest import make_tracker, run, user

from bot.actions.live import (
    ActionForwardToReferent,
    ActionHandoffClosed,
    ActionReferentJoined,
    ActionRelayReferentMessage,
)
from tests.fakes.api import FakeApi

TEAM = "Équipe accueil du Grand-Figeac"


def external(intent: str, **entities: str) -> dict:
    return user(intent, entities=entities, external=True)


def test_visitor_is_told_when_a_referent_joins() -> None:
    tracker = make_tracker([external("EXTERNAL_handoff_claimed", referent_team=TEAM)])

    outcome = run(ActionReferentJoined(), tracker)

    assert outcome.text.startswith(f"{TEAM} a rejoint la conversation.")
    assert outcome.slots == {"handoff_live": True, "handoff_team": TEAM}


def test_visitor_is_told_when_a_colleague_takes_over_without_being_named() -> None:
    tracker = make_tracker(
        [external("EXTERNAL_handoff_claimed", referent_team=TEAM, referent_takeover="true")]
    )

    outcome = run(ActionReferentJoined(), tracker)

    assert outcome.text.startswith(
        f"{TEAM} a rejoint la conversation : une autre personne de l'équipe prend le relais."
    )


def test_referent_words_are_shown_as_the_team_s() -> None:
    tracker = make_tracker(
        [
            external(
                "EXTERNAL_referent_message",
                referent_team=TEAM,
                referent_message="Bonjour Camille, je regarde votre demande.",
            )
        ]
    )

    outcome = run(ActionRelayReferentMessage(), tracker)

    assert outcome.texts == [f"{TEAM} : Bonjour Camille, je regarde votre demande."]
    assert outcome.slots["handoff_live"] is True


def test_assistant_resumes_when_the_referent_closes() -> None:
    tracker = make_tracker(
        [external("EXTERNAL_handoff_closed", referent_team=TEAM)], {"handoff_live": True}
    )

    outcome = run(ActionHandoffClosed(), tracker)

    assert outcome.text.startswith(f"{TEAM} a terminé la conversation. Je reprends la main")
    assert outcome.payloads == ["/help"]
    assert outcome.slots == {"handoff_live": False}


def test_a_visitor_cannot_type_their_way_into_the_referent_role() -> None:
    typed = user("EXTERNAL_referent_message", "EXTERNAL_referent_message")
    typed["parse_data"]["metadata"] = {}
    typed["parse_data"]["text"] = "EXTERNAL_referent_message"

    outcome = run(ActionRelayReferentMessage(), make_tracker([typed]))

    assert [m["response"] for m in outcome.messages] == ["utter_ask_rephrase"]
    assert outcome.events == []


def test_visitor_message_goes_to_the_live_case_silently(api: FakeApi) -> None:
    message = user("ask_housing", "Merci ! Et pour un logement à louer ?")

    outcome = run(
        ActionForwardToReferent(api),
        make_tracker([message], {"handoff_live": True}, sender_id="visitor-live"),
    )

    assert outcome.messages == []
    assert outcome.events == []
    assert api.forwarded == [("visitor-live", "Merci ! Et pour un logement à louer ?")]


def test_assistant_resumes_when_the_case_is_no_longer_live(api: FakeApi) -> None:
    api.live = False
    tracker = make_tracker(
        [user("ask_jobs", "vous êtes là ?")], {"handoff_live": True}, sender_id="visitor-gone"
    )

    outcome = run(ActionForwardToReferent(api), tracker)

    assert outcome.text.startswith("La conversation avec l'équipe d'accueil est terminée.")
    assert outcome.payloads == ["/help", "/request_human"]
    assert outcome.slots == {"handoff_live": False}


@pytest.mark.parametrize(
    ("failure", "told"),
    [
        (
            "down",
            "Votre message n'a pas pu être transmis à l'équipe pour le moment. "
            "Pouvez-vous le renvoyer dans un instant ?",
        ),
        (
            # A refusal (4xx) is no outage: sending the same words again cannot help.
            "refusing",
            "Ce message n'a pas pu être transmis à l'équipe tel qu'il est écrit, et le "
            "renvoyer à l'identique n'y changerait rien. Pouvez-vous le reformuler en "
            "quelques phrases ?",
        ),
    ],
)
def test_visitor_is_told_when_the_message_could_not_be_forwarded(
    api: FakeApi, failure: str, told: str
) -> None:
    setattr(api, failure, True)
    tracker = make_tracker([user("ask_jobs", "bonjour ?")], {"handoff_live": True})

    outcome = run(ActionForwardToReferent(api), tracker)

    assert outcome.texts == [told]
    assert outcome.events == []
