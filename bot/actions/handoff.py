"""Handing the visitor over to a référent accueil: consent, contact form, delivery.

Nothing leaves the assistant without the visitor's explicit "oui"; the request is saved
to the outbox before the first attempt, so that an API outage never loses it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import texts
from bot.actions.api_client import ApiRejected, ApiUnavailable, UsesApi
from bot.actions.bounds import bounded_transcript
from bot.actions.config import get_settings
from bot.actions.contact import clean_first_name, display_phone, parse_contact
from bot.actions.conversation import (
    asks_question,
    entity_values,
    intent_of,
    is_payload,
    iso_utc,
    last_user_timestamp,
    transcript,
)
from bot.actions.knowledge import say_best_of_theme, say_if_clear, slot_place
from bot.actions.outbox import Outbox
from bot.actions.profile import (
    CONSENT_SLOT,
    Profile,
    adult_label,
    housing_label,
)
from contract.profile import SCHOOL_LEVEL_LABELS
from contract.themes import PROGRAMME_THEME

logger = logging.getLogger(__name__)

# Slots that describe the visitor's project, copied into the case for the referent.
PROFILE_SLOTS = (
    "commune_name",
    "handoff_place",
    "place_undecided",
    "last_theme",
    "job",
    "sector",
    "school_level",
    "housing_kind",
)
UNDECIDED_PLACE = "Pas encore décidé"
# Slots the visitor gave for the request; forgotten again when they withdraw.
HANDOFF_FORM_SLOTS = (
    "first_name",
    "contact",
    "contact_email",
    "contact_phone",
    "handoff_place",
    "handoff_consent",
)


def _say(dispatcher: CollectingDispatcher, reply: texts.Reply) -> None:
    dispatcher.utter_message(**texts.as_message(reply))


def consent_reply(retention_days: int) -> texts.Reply:
    return texts.Reply(
        texts.consent_text(retention_days),
        [texts.button("Oui, je suis d'accord", "affirm"), texts.button("Non merci", "deny")],
    )


def confirmation(reference: str, expected_reply: str | None) -> str:
    """How the case's answer will come, as the API words it (team, reference, channel)."""
    return (expected_reply or "").strip() or (
        f"Votre demande est bien transmise (référence {reference})."
    )


def referent_profile(profile: Profile) -> dict[str, Any]:
    """The profile as the referent reads it on the case page (api/dashboard labels)."""
    values: dict[str, Any] = {
        "household": {"alone": "seul·e", "couple": "en couple"}.get(profile.household or ""),
        "children": [SCHOOL_LEVEL_LABELS[level] for level in profile.children],
        "trade": adult_label(profile.you),
        "partner_trade": adult_label(profile.partner),
        "housing": housing_label(profile),
        "area": list(profile.area),
        "timeline": profile.timeline,
    }
    return {key: value for key, value in values.items() if value}


def idempotency_key(conversation_id: str, consent_given_at: str) -> str:
    return hashlib.sha256(f"{conversation_id}{consent_given_at}".encode()).hexdigest()


def themes_discussed(events: Sequence[dict[str, Any]]) -> list[str]:
    themes: list[str] = []
    for event in events:
        if event.get("event") == "user":
            theme = texts.THEME_INTENTS.get(intent_of(event.get("parse_data")) or "")
            if theme and theme not in themes:
                themes.append(theme)
    return themes


def handoff_payload(
    conversation_id: str,
    slots: dict[str, Any],
    events: Sequence[dict[str, Any]],
    retention_days: int,
) -> dict[str, Any]:
    """The body of POST /v1/handoffs (docs/contracts.md)."""
    given_at = slots["handoff_consent"]
    profile = {name: slots[name] for name in PROFILE_SLOTS if slots.get(name) is not None}
    if slots.get(CONSENT_SLOT) is True:
        # What the visitor agreed to let the assistant keep of their project.
        profile.update(referent_profile(Profile.from_slots(slots)))
    themes = themes_discussed(events)
    if themes:
        profile["themes"] = themes
    return {
        "idempotency_key": idempotency_key(conversation_id, given_at),
        "conversation_id": conversation_id,
        "consent": {"text": texts.consent_text(retention_days), "given_at": given_at},
        "contact": {
            "first_name": slots.get("first_name"),
            "email": slots.get("contact_email"),
            "phone": slots.get("contact_phone"),
        },
        "commune": slots.get("commune"),
        "profile": profile,
        "transcript": bounded_transcript(transcript(events)),
    }


class ActionAskHandoffConsent(UsesApi, Action):
    def name(self) -> str:
        return "action_ask_handoff_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference = tracker.get_slot("handoff_reference")
        if reference:
            dispatcher.utter_message(response="utter_already_handed_off")
            return []
        events: list[EventType] = []
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "")
        if not is_payload(text) and asks_question(text):
            # "qui peut nous accompagner pour notre installation ?" asks who helps, and how:
            # the entry clearly about it answers, else the programme's entry that best does
            # (the référents, the ambassadors), then the offer to be put in touch.
            place = slot_place(tracker)
            events = (
                await say_if_clear(self.api, dispatcher, tracker, text, None, place)
                or await say_best_of_theme(
                    self.api, dispatcher, tracker, text, PROGRAMME_THEME, place
                )
                or []
            )
        _say(dispatcher, consent_reply(get_settings().retention_days))
        return events


class ActionRecordConsent(Action):
    def name(self) -> str:
        return "action_record_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        said_yes_at = last_user_timestamp(tracker.events) or time.time()
        dispatcher.utter_message(response="utter_consent_recorded")
        return [SlotSet("handoff_consent", iso_utc(said_yes_at))]


class ValidateHandoffForm(UsesApi, FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # The place is asked only when the conversation has not settled it already.
        if tracker.get_slot("commune") or tracker.get_slot("place_undecided"):
            return [slot for slot in domain_slots if slot != "handoff_place"]
        return domain_slots

    def validate_first_name(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        name = clean_first_name(str(slot_value or ""))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_first_name")
        return {"first_name": name}

    def validate_contact(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        parsed = parse_contact(str(slot_value or ""))
        if parsed is None:
            dispatcher.utter_message(response="utter_invalid_contact")
            return {"contact": None}
        kind, value = parsed
        if kind == "phone":
            dispatcher.utter_message(response="utter_phone_noted", phone=display_phone(value))
        else:
            dispatcher.utter_message(response="utter_email_noted", email=value)
        return {
            "contact": value,
            "contact_email": value if kind == "email" else None,
            "contact_phone": value if kind == "phone" else None,
        }

    async def validate_handoff_place(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        latest = tracker.latest_message or {}
        if intent_of(latest) == "undecided_place":
            return {"handoff_place": UNDECIDED_PLACE, "place_undecided": True}
        place = next(iter(entity_values(latest, "commune")), str(slot_value or "").strip())
        try:
            resolution = await self.api.resolve_commune(place)
        except (ApiUnavailable, ApiRejected):
            # The department team reads the place as typed and routes the case itself.
            dispatcher.utter_message(response="utter_place_unresolved_in_form")
            return {"handoff_place": place}
        if resolution.status == "found" and resolution.commune is not None:
            return {
                "handoff_place": resolution.commune.name,
                "commune": resolution.commune.insee,
                "commune_name": resolution.commune.name,
                "place_undecided": False,
            }
        if resolution.status == "outside_lot":
            _say(dispatcher, texts.outside_lot_reply(place, resolution))
        else:
            _say(dispatcher, texts.unknown_place_reply(place, resolution.alternatives))
        return {"handoff_place": None}


class ActionSubmitHandoff(UsesApi, Action):
    def name(self) -> str:
        return "action_submit_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = get_settings()
        if not tracker.get_slot("handoff_consent"):
            # Never reached through the rules; without consent nothing may be sent.
            _say(dispatcher, consent_reply(settings.retention_days))
            return []
        conversation_id = tracker.sender_id
        payload = handoff_payload(
            conversation_id, dict(tracker.slots), tracker.events, settings.retention_days
        )
        key = payload["idempotency_key"]
        outbox = Outbox(settings.outbox_dir)
        # Saved first: if this process dies during the attempts, the worker sends it.
        outbox.save(
            key,
            conversation_id,
            payload,
            not_before=time.time() + settings.outbox_first_retry_s,
        )
        try:
            receipt = await self.api.create_handoff(payload)
        except ApiUnavailable:
            logger.warning("handoff.queued", extra={"sender": conversation_id})
            dispatcher.utter_message(response="utter_handoff_queued")
            return []
        except ApiRejected as error:
            logger.error(
                "handoff.rejected", extra={"sender": conversation_id, "status": error.status_code}
            )
            outbox.reject(key, str(error))
            dispatcher.utter_message(response="utter_handoff_refused")
            return []
        outbox.remove(key)
        dispatcher.utter_message(text=confirmation(receipt.reference, receipt.expected_reply))
        return [
            SlotSet("handoff_reference", receipt.reference),
            SlotSet("handoff_team", receipt.team_name),
        ]


class ActionCancelHandoff(Action):
    """The visitor said no inside the form: their consent is withdrawn, nothing is sent."""

    def name(self) -> str:
        return "action_cancel_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_cancelled")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *(SlotSet(slot, None) for slot in HANDOFF_FORM_SLOTS),
        ]


class ActionHandoffCreated(Action):
    """EXTERNAL_handoff_created: the outbox finally delivered a saved request."""

    def name(self) -> str:
        return "action_handoff_created"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        reference = next(iter(entity_values(latest, "reference")), None)
        if not reference:
            return []
        team = next(iter(entity_values(latest, "referent_team")), None)
        expected = next(iter(entity_values(latest, "expected_reply")), None)
        dispatcher.utter_message(
            text=f"Le service de mise en relation fonctionne à nouveau. "
            f"{confirmation(reference, expected)}"
        )
        events: list[EventType] = [SlotSet("handoff_reference", reference)]
        if team:
            events.append(SlotSet("handoff_team", team))
        return events
