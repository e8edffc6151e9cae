"""Long visitor messages never make a handoff or a live message fail; a refusal of the API
(4xx) is not taken for an outage; rejected requests stay private on disk."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from conftest import (
    ApiServer,
    FakeRasa,
    bot,
    case_of,
    claimed_case,
    handoff_conversation,
    handoff_slots,
    make_tracker,
    run,
    use_settings,
    user,
)

from bot.actions.bounds import MAX_TEXT, MAX_TURNS, split_message
from bot.actions.config import Settings
from bot.actions.handoff import ActionSubmitHandoff
from bot.actions.live import ActionForwardToReferent
from bot.actions.outbox import Outbox

LONG_STORY = (
    "Nous sommes une famille de quatre personnes et nous aimons la nature. " * 120
).strip()


def test_a_visitor_message_longer_than_the_api_limit_still_opens_the_case(
    settings: Settings, api_server: ApiServer
) -> None:
    assert len(LONG_STORY) > MAX_TEXT
    events = [user("ask_living", LONG_STORY), bot("Voici ce que je sais."), *handoff_conversation()]

    outcome = run(
        ActionSubmitHandoff(), make_tracker(events, handoff_slots(), sender_id="visitor-long")
    )

    [first, *_] = case_of(api_server, outcome.slots["handoff_reference"])["transcript"]
    assert len(first["text"]) <= MAX_TEXT
    assert first["text"].endswith(f"(message tronqué : {len(LONG_STORY)} caractères au total)")


def test_a_conversation_with_more_turns_than_the_api_takes_still_opens_the_case(
    settings: Settings, api_server: ApiServer
) -> None:
    chatter = [user("thank", f"merci {n}") for n in range(MAX_TURNS + 50)]

    outcome = run(
        ActionSubmitHandoff(),
        make_tracker([*chatter, *handoff_conversation()], handoff_slots(), sender_id="v-many"),
    )

    turns = case_of(api_server, outcome.slots["handoff_reference"])["transcript"]
    assert len(turns) == MAX_TURNS
    assert turns[0]["text"].endswith("échanges plus anciens ne sont pas repris ici]")


def test_a_long_live_message_reaches_the_referent_in_parts_with_a_notice(
    settings: Settings, api_server: ApiServer
) -> None:
    reference = claimed_case(api_server, "visitor-long-live")
    message = user("ask_living", LONG_STORY)

    outcome = run(
        ActionForwardToReferent(),
        make_tracker([message], {"handoff_live": True}, sender_id="visitor-long-live"),
    )

    messages = case_of(api_server, reference)["messages"]
    received = " ".join(message["text"] for message in messages)
    assert [message["direction"] for message in messages] == ["visitor", "visitor"]
    assert received.split() == LONG_STORY.split()
    assert outcome.texts == [
        "Votre message était long : je l'ai transmis à l'équipe en deux parties."
    ]
    assert outcome.events == []


def test_a_refused_live_message_is_not_called_an_outage(
    settings: Settings,
    api_server: ApiServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fake_rasa: FakeRasa,
) -> None:
    claimed_case(api_server, "visitor-refused")
    # A token the API refuses (403): an answer, not an outage, and retrying cannot help.
    use_settings(
        monkeypatch, api_server.url, tmp_path / "outbox", fake_rasa.url, BOT_API_TOKEN="wrong"
    )
    message = user("ask_living", "Merci pour votre réponse.")

    outcome = run(
        ActionForwardToReferent(),
        make_tracker([message], {"handoff_live": True}, sender_id="visitor-refused"),
    )

    assert "renvoyer dans un instant" not in outcome.text
    assert "le renvoyer à l'identique n'y changerait rien" in outcome.text


def test_a_huge_message_is_cut_after_the_last_part_with_what_was_left_out() -> None:
    parts, left_out = split_message("mot " * 10_000)

    assert len(parts) == 4
    assert all(len(part) <= MAX_TEXT for part in parts)
    assert left_out > 0


def test_rejected_requests_and_their_reason_are_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    outbox = Outbox(tmp_path)
    outbox.save("key-1", "visitor-1", {"transcript": "mes mots"}, not_before=0)

    outbox.reject("key-1", "HTTP 422: " + "x" * 1_000_000)

    rejected = tmp_path / "rejected"
    for path in (rejected / "key-1.json", rejected / "key-1.reason.txt"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(rejected.stat().st_mode) == 0o700
    assert len((rejected / "key-1.reason.txt").read_text(encoding="utf-8")) <= 2000
