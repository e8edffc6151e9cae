"""Handoff, bot side: consent, the contact form, delivery through the API and the outbox."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import (
    BOT_TOKEN,
    CONSENT_AT,
    ApiServer,
    FakeRasa,
    free_port,
    handoff_conversation,
    handoff_slots,
    make_tracker,
    relaying,
    rendered,
    run,
    use_settings,
    user,
)
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.api_client import ApiClient, Commune, RasaClient, Resolution
from bot.actions.config import Settings
from bot.actions.handoff import (
    ActionAskHandoffConsent,
    ActionCancelHandoff,
    ActionHandoffCreated,
    ActionRecordConsent,
    ActionSubmitHandoff,
    ValidateHandoffForm,
    handoff_payload,
)
from bot.actions.outbox import Outbox, OutboxWorker, deliver_due
from tests.fakes.api import FakeApi, entry


def validate(
    slot_name: str,
    value: Any,
    events: list[dict[str, Any]],
    domain: dict[str, Any],
    api: FakeApi | None = None,
):
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateHandoffForm(api), f"validate_{slot_name}")
    tracker = make_tracker(events)
    result = method(value, dispatcher, tracker, domain)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    messages = [rendered(m, tracker.slots) for m in dispatcher.messages]
    return result, [m.get("text") or "" for m in messages], messages


# -- consent -------------------------------------------------------------------------------


def test_request_for_a_person_explains_and_asks_consent(settings: Settings) -> None:
    outcome = run(ActionAskHandoffConsent(), make_tracker([user("request_human")]))

    assert outcome.text.startswith("Un référent accueil fait partie du réseau d'accueil")
    assert "conservées un an au maximum" in outcome.text
    assert outcome.payloads == ["/affirm", "/deny"]
    assert outcome.events == []


def test_a_question_on_who_can_help_is_answered_before_the_offer(settings: Settings) -> None:
    api = FakeApi()
    question = "est-ce que quelqu'un peut nous accompagner pour notre installation ?"
    api.answer(
        lambda search: search.confident_only and search.query == question,
        entry("vivre-referents-accueil", "Réponse de test sur les référents accueil."),
    )

    outcome = run(ActionAskHandoffConsent(api), make_tracker([user("request_human", question)]))

    assert outcome.text.startswith("Réponse de test sur les référents accueil.")
    assert "Êtes-vous d'accord ?" in outcome.text
    assert outcome.payloads[-2:] == ["/affirm", "/deny"]


def test_a_question_on_who_can_help_gets_the_programmes_best_entry_when_none_is_clear(
    settings: Settings,
) -> None:
    api = FakeApi()
    question = "comment on rencontre du monde quand on arrive ?"
    api.answer(
        lambda search: not search.confident_only and search.theme == "living",
        entry("vivre-ambassadeurs", "Réponse de test sur les ambassadeurs.", theme="living"),
    )

    outcome = run(ActionAskHandoffConsent(api), make_tracker([user("request_human", question)]))

    assert outcome.text.startswith("Réponse de test sur les ambassadeurs.")
    assert "Êtes-vous d'accord ?" in outcome.text


def test_a_question_on_who_can_help_never_gets_another_themes_entry(settings: Settings) -> None:
    api = FakeApi()
    api.answer(
        lambda search: not search.confident_only,
        entry("sante-test", "Réponse de test sur la santé.", theme="health"),
    )

    outcome = run(
        ActionAskHandoffConsent(api),
        make_tracker([user("request_human", "qui peut m'accompagner dans mon projet ?")]),
    )

    assert outcome.text.startswith("Un référent accueil fait partie du réseau d'accueil")


def test_a_request_for_a_person_goes_straight_to_the_offer(settings: Settings) -> None:
    api = FakeApi()
    api.answer(lambda search: True, entry("vivre-referents-accueil", "Réponse à ne pas montrer."))

    outcome = run(
        ActionAskHandoffConsent(api),
        make_tracker([user("request_human", "je veux parler à un humain")]),
    )

    assert outcome.text.startswith("Un référent accueil fait partie du réseau d'accueil")
    assert "Réponse à ne pas montrer." not in outcome.text


def test_retention_period_comes_from_the_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_rasa: FakeRasa
) -> None:
    use_settings(
        monkeypatch, settings.api_url, tmp_path / "outbox", fake_rasa.url, RETENTION_DAYS="730"
    )

    outcome = run(ActionAskHandoffConsent(), make_tracker([user("request_human")]))

    assert "conservées deux ans au maximum" in outcome.text


def test_a_visitor_already_handed_off_is_told_so(settings: Settings) -> None:
    tracker = make_tracker([user("request_human")], {"handoff_reference": "LOT-ABC"})

    outcome = run(ActionAskHandoffConsent(), tracker)

    assert outcome.text.startswith("Votre demande a déjà été transmise (référence LOT-ABC)")


def test_consent_is_recorded_at_the_time_the_visitor_said_yes(settings: Settings) -> None:
    yes = user("affirm", "oui")
    outcome = run(ActionRecordConsent(), make_tracker([user("request_human"), yes]))

    given_at = datetime.fromisoformat(outcome.slots["handoff_consent"])
    assert given_at.utcoffset() == timedelta(0)
    assert given_at.timestamp() == pytest.approx(yes["timestamp"])
    assert outcome.text.startswith("Merci ! Il me faut seulement quelques informations")


# -- form ----------------------------------------------------------------------------------


def test_first_name_is_cleaned(domain: dict[str, Any]) -> None:
    result, said, _ = validate("first_name", "je m'appelle camille", [user("give_contact")], domain)

    assert result == {"first_name": "Camille"}
    assert said == []


def test_a_sentence_is_not_taken_for_a_first_name(domain: dict[str, Any]) -> None:
    result, said, _ = validate("first_name", "et les écoles ?", [user("ask_schools")], domain)

    assert result == {"first_name": None}
    assert said[0].startswith("Je n'ai pas reconnu un prénom.")


def test_phone_number_is_normalised_and_read_back(domain: dict[str, Any]) -> None:
    result, said, _ = validate("contact", "06.12.34.56.78", [user("give_contact")], domain)

    assert result == {
        "contact": "+33612345678",
        "contact_email": None,
        "contact_phone": "+33612345678",
    }
    assert said == ["C'est noté : votre numéro 06 12 34 56 78."]


def test_email_is_accepted_as_contact(domain: dict[str, Any]) -> None:
    result, _, _ = validate("contact", "camille@example.org", [user("give_contact")], domain)

    assert result["contact_email"] == "camille@example.org"
    assert result["contact_phone"] is None


def test_unusable_contact_is_asked_again(domain: dict[str, Any]) -> None:
    result, said, _ = validate("contact", "demain matin", [user("give_contact")], domain)

    assert result == {"contact": None}
    assert said[0].startswith("Je n'ai reconnu ni une adresse e-mail ni un numéro")


def test_place_is_asked_only_when_the_conversation_has_not_settled_it(
    domain: dict[str, Any],
) -> None:
    form = ValidateHandoffForm()
    slots_of_form = ["first_name", "contact", "handoff_place"]

    def required(slots: dict[str, Any]) -> list[str]:
        tracker = make_tracker([user("affirm")], slots)
        return asyncio.run(
            form.required_slots(slots_of_form, CollectingDispatcher(), tracker, domain)
        )

    assert required({}) == slots_of_form
    assert required({"commune": "46102"}) == ["first_name", "contact"]
    assert required({"place_undecided": True}) == ["first_name", "contact"]


def test_place_given_in_the_form_is_resolved_through_the_api(
    api: FakeApi, domain: dict[str, Any]
) -> None:
    api.communes["st cere"] = Commune("46251", "Saint-Céré", "Cauvaldor")
    events = [user("inform_commune", "st cere", {"commune": "st cere"})]

    result, said, _ = validate("handoff_place", "st cere", events, domain, api)

    assert result == {
        "handoff_place": "Saint-Céré",
        "commune": "46251",
        "commune_name": "Saint-Céré",
        "place_undecided": False,
    }
    assert said == []


def test_undecided_place_is_accepted_in_the_form(domain: dict[str, Any]) -> None:
    events = [user("undecided_place", "/undecided_place")]

    result, _, _ = validate("handoff_place", "/undecided_place", events, domain)

    assert result == {"handoff_place": "Pas encore décidé", "place_undecided": True}


def test_place_outside_the_lot_is_asked_again_in_the_form(
    api: FakeApi, domain: dict[str, Any]
) -> None:
    api.outside["brive"] = Resolution("outside_lot", None, (), "Brive-la-Gaillarde", "Corrèze")
    events = [user("inform_commune", "Brive", {"commune": "Brive"})]

    result, said, _ = validate("handoff_place", "Brive", events, domain, api)

    assert result == {"handoff_place": None}
    assert said[0].startswith("Brive-la-Gaillarde (Corrèze) n'est pas dans le Lot")


def test_a_place_that_cannot_be_checked_goes_to_the_department_team_as_typed(
    api: FakeApi, domain: dict[str, Any]
) -> None:
    api.down = True
    events = [user("inform_commune", "Lacapelle", {"commune": "Lacapelle"})]

    result, said, _ = validate("handoff_place", "Lacapelle", events, domain, api)

    assert result == {"handoff_place": "Lacapelle"}
    assert said == [
        "Je ne peux pas vérifier cette commune pour le moment ; je la transmets telle "
        "quelle à l'équipe départementale, qui fera suivre."
    ]


def test_withdrawing_in_the_form_forgets_the_details(settings: Settings) -> None:
    outcome = run(ActionCancelHandoff(), make_tracker([user("deny", "non")], handoff_slots()))

    assert outcome.text.startswith("C'est entendu, j'annule : rien n'a été transmis.")
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in outcome.events
    ]
    assert outcome.slots["first_name"] is None
    assert outcome.slots["contact_email"] is None
    assert outcome.slots["handoff_consent"] is None


# -- payload and delivery ----------------------------------------------------------------


def test_payload_carries_consent_contact_profile_and_transcript() -> None:
    payload = handoff_payload("visitor-1", handoff_slots(), handoff_conversation(), 365)

    assert payload["conversation_id"] == "visitor-1"
    assert payload["consent"]["given_at"] == CONSENT_AT
    assert "conservées un an au maximum" in payload["consent"]["text"]
    assert payload["contact"] == {
        "first_name": "Camille",
        "email": "camille@example.org",
        "phone": None,
    }
    assert payload["commune"] == "46102"
    assert payload["profile"] == {
        "commune_name": "Figeac",
        "last_theme": "schools",
        "themes": ["schools"],
    }
    assert payload["transcript"][0]["text"] == "Quels lycées à Figeac ?"
    assert {"role": "visitor", "text": "Oui, je suis d'accord"} in [
        {k: t[k] for k in ("role", "text")} for t in payload["transcript"]
    ]
    assert (
        payload["idempotency_key"]
        == handoff_payload("visitor-1", handoff_slots(), handoff_conversation(), 365)[
            "idempotency_key"
        ]
    )


def test_request_is_sent_and_the_visitor_gets_the_reference(settings: Settings) -> None:
    tracker = make_tracker(handoff_conversation(), handoff_slots(), sender_id="visitor-sent")

    outcome = run(ActionSubmitHandoff(), tracker)

    reference = outcome.slots["handoff_reference"]
    assert reference
    assert f"(référence {reference})" in outcome.text
    assert outcome.slots["handoff_team"] == "Équipe accueil du Grand-Figeac"
    assert list(Outbox(settings.outbox_dir).pending()) == []


def test_a_request_the_api_refuses_is_set_aside_and_the_visitor_given_another_way(
    api: FakeApi, api_down: Settings
) -> None:
    settings = api_down  # only its outbox: the stand-in answers
    api.refusing = True
    tracker = make_tracker(handoff_conversation(), handoff_slots(), sender_id="visitor-refused")

    outcome = run(ActionSubmitHandoff(api), tracker)

    assert outcome.text == (
        "Je n'ai pas pu enregistrer votre demande, désolé. Vous pouvez contacter "
        "directement le réseau d'accueil depuis le site "
        "[choisirlelot.fr](https://www.choisirlelot.fr)."
    )
    assert outcome.events == []
    outbox = Outbox(settings.outbox_dir)
    assert list(outbox.pending()) == []
    assert len(list((settings.outbox_dir / "rejected").glob("*.reason.txt"))) == 1


def test_sending_the_same_request_twice_opens_one_case(settings: Settings) -> None:
    tracker = make_tracker(handoff_conversation(), handoff_slots(), sender_id="visitor-twice")

    first = run(ActionSubmitHandoff(), tracker)
    second = run(ActionSubmitHandoff(), tracker)

    assert first.slots["handoff_reference"] == second.slots["handoff_reference"]


def test_request_survives_an_api_outage_and_is_delivered_once(
    api_down: Settings,
    api_server: ApiServer,
    fake_rasa: FakeRasa,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tracker = make_tracker(handoff_conversation(), handoff_slots(), sender_id="visitor-outage")

    outcome = run(ActionSubmitHandoff(), tracker)

    assert outcome.text.startswith("Le service de mise en relation est momentanément indisponible")
    assert "bien enregistrée" in outcome.text
    assert "handoff_reference" not in outcome.slots
    outbox = Outbox(api_down.outbox_dir)
    [saved] = outbox.pending()
    assert saved.conversation_id == "visitor-outage"
    assert saved.payload["contact"]["email"] == "camille@example.org"

    # Still down: the request stays, with a later retry.
    asyncio.run(
        deliver_due(
            outbox,
            ApiClient(api_down, attempts=1),
            RasaClient(api_down),
            api_down,
            now=time.time() + 60,
        )
    )
    [postponed] = outbox.pending()
    assert postponed.attempts == 1

    # The API is back.
    back = use_settings(monkeypatch, api_server.url, api_down.outbox_dir, fake_rasa.url)
    created = asyncio.run(
        deliver_due(
            outbox, ApiClient(back, attempts=1), RasaClient(back), back, now=time.time() + 3600
        )
    )

    assert created == 1
    assert outbox.pending() == []
    [call] = fake_rasa.calls
    assert call["path"].startswith("/conversations/visitor-outage/trigger_intent?")
    assert "output_channel=latest" in call["path"]
    assert "token=test-rasa-token" in call["path"]
    assert call["body"]["name"] == "EXTERNAL_handoff_created"
    reference = call["body"]["entities"]["reference"]
    # Same key again: the API answers with the case it already has (200, same reference).
    response = httpx.post(
        f"{api_server.url}/v1/handoffs",
        json=saved.payload,
        headers={"Authorization": f"Bearer {BOT_TOKEN}"},
    )
    assert response.status_code == 200
    assert response.json()["reference"] == reference


def test_background_worker_delivers_when_the_api_comes_back(
    tmp_path: Path,
    api_server: ApiServer,
    fake_rasa: FakeRasa,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()
    settings = use_settings(
        monkeypatch, f"http://127.0.0.1:{port}", tmp_path / "outbox", fake_rasa.url
    )
    tracker = make_tracker(handoff_conversation(), handoff_slots(), sender_id="visitor-background")
    run(ActionSubmitHandoff(), tracker)
    outbox = Outbox(settings.outbox_dir)
    assert len(outbox.pending()) == 1

    worker = OutboxWorker(settings)
    worker.start()
    try:
        # A few passes against the API that is still down: the request stays.
        assert worker.wait_for(lambda: worker.passes >= 3, timeout_s=60)
        assert len(outbox.pending()) == 1
        assert fake_rasa.calls == []

        with relaying(port, api_server.port):
            assert worker.wait_for(lambda: outbox.pending() == [], timeout_s=60)
    finally:
        worker.stop()

    assert not worker.running
    assert [c["body"]["name"] for c in fake_rasa.calls] == ["EXTERNAL_handoff_created"]


def test_delivered_request_is_announced_to_the_visitor(settings: Settings) -> None:
    created = user(
        "EXTERNAL_handoff_created",
        entities={
            "reference": "LOT-XYZ",
            "referent_team": "Équipe accueil du Grand Cahors",
            "expected_reply": "Merci, votre demande est bien transmise (référence LOT-XYZ).",
        },
        external=True,
    )

    outcome = run(ActionHandoffCreated(), make_tracker([created]))

    assert outcome.text == (
        "Le service de mise en relation fonctionne à nouveau. "
        "Merci, votre demande est bien transmise (référence LOT-XYZ)."
    )
    assert outcome.slots == {
        "handoff_reference": "LOT-XYZ",
        "handoff_team": "Équipe accueil du Grand Cahors",
    }


def test_outbox_file_holds_the_full_request(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path)
    outbox.save("key-1", "visitor-1", {"a": "é"}, not_before=0)

    stored = json.loads((tmp_path / "key-1.json").read_text(encoding="utf-8"))

    assert stored["payload"] == {"a": "é"}
    assert stored["conversation_id"] == "visitor-1"


def test_the_contact_question_thanks_the_visitor_by_the_first_name_given() -> None:
    def asked(first_name: str | None) -> str:
        return str(rendered({"response": "utter_ask_contact"}, {"first_name": first_name})["text"])

    assert asked("Camille") == (
        "Merci, Camille. À quelle adresse e-mail ou à quel numéro de téléphone l'équipe "
        "peut-elle vous répondre ?"
    )
    assert asked(None) == (
        "À quelle adresse e-mail ou à quel numéro de téléphone l'équipe peut-elle vous répondre ?"
    )
