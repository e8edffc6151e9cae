"""Back with the assistant after a referent closed the case: one rating question, an
optional comment, and the conversation by e-mail on request."""

from __future__ import annotations

import sqlite3

from conftest import (
    ApiServer,
    case_in_status,
    make_tracker,
    run,
    user,
)

from bot.actions.closing import (
    ActionRecordSatisfaction,
    ActionRecordSatisfactionComment,
    ActionSendTranscript,
)
from bot.actions.config import Settings
from bot.actions.live import ActionHandoffClosed

TEAM = "Équipe accueil du Grand-Figeac"


def _stored(api_server: ApiServer, reference: str) -> tuple[object, ...]:
    database = api_server.env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT satisfaction_score, satisfaction_comment, transcript_emailed_at "
            "FROM cases WHERE reference = ?",
            (reference,),
        ).fetchone()
    return tuple(row)


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


def test_rating_comment_and_transcript_are_recorded_on_the_case(
    settings: Settings, api_server: ApiServer
) -> None:
    reference = case_in_status(api_server, "visitor-rates", "closed")
    slots = {"handoff_reference": reference, "contact_email": "camille@example.org"}

    rated = run(
        ActionRecordSatisfaction(),
        make_tracker(
            [user("rate_handoff", entities={"rating": "4"})], slots, sender_id="visitor-rates"
        ),
    )
    commented = run(
        ActionRecordSatisfactionComment(),
        make_tracker(
            [user("thank", "Merci, très clair")],
            {**slots, "satisfaction_comment_pending": True},
            sender_id="visitor-rates",
        ),
    )
    mailed = run(
        ActionSendTranscript(),
        make_tracker([user("send_transcript")], slots, sender_id="visitor-rates"),
    )

    assert rated.slots == {"satisfaction_comment_pending": True}
    assert "camille@example.org" in commented.text
    assert commented.slots == {"satisfaction_comment_pending": False}
    assert mailed.text.startswith("C'est envoyé à camille@example.org.")
    score, comment, emailed_at = _stored(api_server, reference)
    assert (score, comment) == (4, "Merci, très clair")
    assert emailed_at is not None


def test_no_thanks_after_the_rating_leaves_no_comment(
    settings: Settings, api_server: ApiServer
) -> None:
    reference = case_in_status(api_server, "visitor-no-comment", "closed")

    outcome = run(
        ActionRecordSatisfactionComment(),
        make_tracker(
            [user("deny", "/deny")],
            {"handoff_reference": reference, "satisfaction_comment_pending": True},
            sender_id="visitor-no-comment",
        ),
    )

    assert outcome.slots == {"satisfaction_comment_pending": False}
    assert _stored(api_server, reference)[1] is None
