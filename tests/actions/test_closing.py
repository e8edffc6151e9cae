"""Back with the assistant after a referent closed the case: one rating question, an
optional comment, and the conversation by e-mail on request."""

from __future__ import annotations

from conftest import make_tracker, run, user

from bot.actions.closing import (
    ActionRecordSatisfaction,
    ActionRecordSatisfactionComment,
    ActionSendTranscript,
)
from bot.actions.live import ActionHandoffClosed
from tests.fakes.api import FakeApi

TEAM = "Équipe accueil du Grand-Figeac"
REFERENCE = "OML-2026-AAAAAA"


def test_closing_hands_back_to_the_assistant_and_asks_one_rating_question() -> None:
    closed = user("EXTERNAL_handoff_closed", entities={"referent_team": TEAM}, external=True)

    outcome = run(
        ActionHandoffClosed(),
        make_tracker([closed], {"handoff_live": True, "handoff_reference": "OML-2026-AAAAAA"}),
    )

    assert outcome.texts[0].startswith(f"{TEAM} a terminé la conversation. Je reprends la main")
    assert "de 1 (pas du tout) à 5 (tout à fait)" in outcome.texts[1]
    assert outcome.payloads[-5:] == [f'/rate_handoff{{"rating":"{n}"}}' for n in range(1, 6)]
    assert outcome.slots == {"handoff_live": False}


def test_rating_comment_and_transcript_are_recorded_on_the_case(api: FakeApi) -> None:
    slots = {"handoff_reference": REFERENCE, "contact_email": "camille@example.org"}

    rated = run(
        ActionRecordSatisfaction(api),
        make_tracker(
            [user("rate_handoff", entities={"rating": "4"})], slots, sender_id="visitor-rates"
        ),
    )
    commented = run(
        ActionRecordSatisfactionComment(api),
        make_tracker(
            [user("thank", "Merci, très clair")],
            {**slots, "satisfaction_comment_pending": True},
            sender_id="visitor-rates",
        ),
    )
    mailed = run(
        ActionSendTranscript(api),
        make_tracker([user("send_transcript")], slots, sender_id="visitor-rates"),
    )

    assert rated.text.startswith("Merci pour votre réponse !")
    assert rated.payloads == ["/deny"]
    assert rated.slots == {"satisfaction_comment_pending": True}
    assert commented.texts == [
        "Merci, votre commentaire est transmis à l'équipe.",
        "Souhaitez-vous recevoir toute cette conversation par e-mail, à l'adresse que vous "
        "nous avez donnée (camille@example.org) ?",
    ]
    assert commented.slots == {"satisfaction_comment_pending": False}
    assert mailed.text.startswith("C'est envoyé à camille@example.org.")
    assert api.ratings == [
        {"reference": REFERENCE, "score": 4},
        {"reference": REFERENCE, "comment": "Merci, très clair"},
    ]
    assert api.transcripts == [("visitor-rates", REFERENCE)]


def test_no_thanks_after_the_rating_leaves_no_comment(api: FakeApi) -> None:
    outcome = run(
        ActionRecordSatisfactionComment(api),
        make_tracker(
            [user("deny", "/deny")],
            {"handoff_reference": REFERENCE, "satisfaction_comment_pending": True},
            sender_id="visitor-no-comment",
        ),
    )

    assert outcome.slots == {"satisfaction_comment_pending": False}
    assert api.ratings == []
    assert outcome.text == "Très bien. Que puis-je faire d'autre pour vous ?"


def test_a_rating_the_api_cannot_take_is_apologised_for_then_the_transcript_offered(
    api: FakeApi,
) -> None:
    api.down = True

    outcome = run(
        ActionRecordSatisfaction(api),
        make_tracker(
            [user("rate_handoff", entities={"rating": "5"})],
            {"handoff_reference": REFERENCE, "contact_email": "camille@example.org"},
        ),
    )

    assert outcome.texts[0].startswith("Je n'ai pas pu enregistrer votre réponse")
    assert outcome.payloads == ["/send_transcript", "/deny"]
    assert outcome.events == []


def test_a_transcript_that_could_not_be_sent_can_be_asked_again(api: FakeApi) -> None:
    api.transcript_sent = False

    outcome = run(
        ActionSendTranscript(api),
        make_tracker(
            [user("send_transcript")],
            {"handoff_reference": REFERENCE, "contact_email": "camille@example.org"},
        ),
    )

    assert outcome.text.startswith("Je n'ai pas pu envoyer la conversation pour le moment")
    assert outcome.payloads == ["/send_transcript", "/help"]
