"""The light profile and "Mon projet d'installation": noting what the visitor says of their
project once they agreed, showing it back, making the plan's link, e-mailing it, forgetting.

The profile lives in slots (profile.py reads messages into it); the plan lives in the API,
which only these actions call (POST /v1/plans, /v1/plans/email, /v1/plans/revoke).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.api_client import ApiClient, ApiRejected, ApiUnavailable, UsesApi
from bot.actions.contact import parse_email
from bot.actions.conversation import (
    asked_theme,
    asks_question,
    details_theme,
    intent_of,
    is_payload,
)
from bot.actions.knowledge import (
    ThemeAnswer,
    answer_if_clear,
    say_best_of_theme,
    say_if_clear,
    slot_place,
    with_levels,
)
from bot.actions.profile import (
    CONSENT_SLOT,
    PLAN_SLOTS,
    PROFILE_SLOTS,
    Profile,
    Update,
    adult_label,
    apply,
    housing_label,
    plan_body,
    read_message,
)
from bot.actions.texts import NUMBERS, api_down_reply, as_message
from contract.french import french_date
from contract.profile import SCHOOL_LEVEL_LABELS

logger = logging.getLogger(__name__)

PROFILE_INTENT = "inform_profile"
PLAN_INTENT = "request_plan"
# How sure the NLU must be of a theme, second to the description, to answer on that theme.
ASKED_THEME_LEAST = 0.15
# What the conversation knew besides the profile, forgotten with it: the place and the
# trade, school level or housing its questions named.
CONTEXT_SLOTS = (
    "commune",
    "commune_name",
    "place_undecided",
    "compared_communes",
    "job",
    "sector",
    "school_level",
    "housing_kind",
)


def _children(levels: tuple[str, ...]) -> str:
    count = len(levels)
    noun = "enfant" if count == 1 else "enfants"
    labels = ", ".join(SCHOOL_LEVEL_LABELS[level] for level in levels)
    return f"{NUMBERS.get(count, str(count))} {noun} ({labels})"


def profile_lines(profile: Profile) -> list[tuple[str, str]]:
    """Each thing kept, as the visitor reads it back."""
    lines: list[tuple[str, str]] = []
    if profile.household:
        lines.append(
            ("Qui s'installe", "vous seul·e" if profile.household == "alone" else "en couple")
        )
    if profile.children:
        lines.append(("Enfants", _children(profile.children)))
    if not profile.you.is_empty():
        lines.append(("Votre métier ou secteur", adult_label(profile.you)))
    if not profile.partner.is_empty():
        lines.append(("Métier ou secteur de votre conjoint·e", adult_label(profile.partner)))
    housing = housing_label(profile)
    if housing:
        lines.append(("Logement", housing))
    if profile.area:
        lines.append(("Secteur envisagé", ", ".join(profile.area)))
    if profile.timeline:
        lines.append(("Quand", profile.timeline))
    return lines


def listed(lines: list[tuple[str, str]]) -> str:
    """The lines of a recap ({noted}, {recap} of the responses), one Markdown item each."""
    return "\n".join(f"- **{label}** : {value}" for label, value in lines)


def quoted_places(names: list[str]) -> str:
    return ", ".join(f"« {name} »" for name in names)


def _slot_events(values: dict[str, Any]) -> list[EventType]:
    return [SlotSet(name, value) for name, value in values.items()]


def _message_before_answer(tracker: Tracker) -> dict[str, Any]:
    """The visitor's message the consent question answered (the one before their yes)."""
    users = [event for event in tracker.events if event.get("event") == "user"]
    return users[-2] if len(users) >= 2 else {}


async def _resolved_places(
    dispatcher: CollectingDispatcher, api: ApiClient, update: Update
) -> list[str]:
    """The update's places as Lot communes' official names; a place outside the Lot or
    unknown is said, not kept, and none is kept while they cannot be checked."""
    if not update.places:
        return []
    try:
        resolutions = await asyncio.gather(*(api.resolve_commune(p) for p in update.places))
    except (ApiUnavailable, ApiRejected):
        logger.warning("profile.places_unchecked")
        return []
    found = [r.commune.name for r in resolutions if r.status == "found" and r.commune]
    missed = [
        place
        for place, resolution in zip(update.places, resolutions, strict=True)
        if resolution.status != "found" or resolution.commune is None
    ]
    if missed:
        dispatcher.utter_message(
            response="utter_place_not_kept" if len(missed) == 1 else "utter_places_not_kept",
            places=quoted_places(missed),
        )
    return found


async def _note(
    dispatcher: CollectingDispatcher, api: ApiClient, tracker: Tracker, message: dict[str, Any]
) -> list[EventType]:
    """Takes a message describing the project into the profile and says what was noted."""
    text = str(message.get("text") or "")
    update = read_message(text, message.get("parse_data") or {})
    places = await _resolved_places(dispatcher, api, update)
    before = Profile.from_slots(tracker.slots)
    after = apply(before, update, places)
    old_lines = set(profile_lines(before))
    noted = [line for line in profile_lines(after) if line not in old_lines]
    if noted:
        dispatcher.utter_message(response="utter_profile_noted", noted=listed(noted))
    else:
        dispatcher.utter_message(response="utter_profile_nothing_noted")
    return _slot_events(after.slots())


async def _make_plan(
    dispatcher: CollectingDispatcher, api: ApiClient, conversation_id: str, slots: dict[str, Any]
) -> list[EventType]:
    profile = Profile.from_slots(slots)
    commune_name = slots.get("commune_name")
    if profile.is_empty() and not commune_name:
        dispatcher.utter_message(response="utter_plan_needs_profile")
        return []
    try:
        link = await api.create_plan(
            conversation_id, plan_body(profile, str(commune_name) if commune_name else None)
        )
    except ApiUnavailable:
        logger.warning("plan.api_unavailable")
        dispatcher.utter_message(**as_message(api_down_reply(None)))
        return []
    except ApiRejected as rejected:
        logger.warning("plan.rejected", extra={"detail": rejected.detail})
        dispatcher.utter_message(response="utter_plan_refused")
        return []
    dispatcher.utter_message(
        response="utter_plan_ready", url=link.url, until=french_date(link.expires_at)
    )
    return _slot_events(
        {
            "plan_token": link.token,
            "plan_url": link.url,
            "plan_expires": link.expires_at.isoformat(),
        }
    )


def described_theme(text: str, parse_data: dict[str, Any]) -> str | None:
    """The one theme a description's details point to: its trades or housing as the NLU
    tagged them, else children or their classes ("on a deux enfants de 5 et 9 ans"): schools."""
    theme = details_theme(parse_data)
    if theme is None:
        update = read_message(text, parse_data)
        if update.levels or update.children_count:
            return "schools"
    return theme


class ActionNoteProfile(UsesApi, Action):
    """A message describing the project: noted once the visitor agreed; the agreement is
    asked the first time; after a no, nothing is kept."""

    def name(self) -> str:
        return "action_note_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Answer first: the question a description asks is answered before anything is
        # asked or noted.
        answered = await self.answer(dispatcher, tracker)
        consent = tracker.get_slot(CONSENT_SLOT)
        if consent is None:
            dispatcher.utter_message(response="utter_profile_consent")
            return answered
        if consent is False:
            if not answered:
                dispatcher.utter_message(response="utter_profile_not_kept")
            return answered
        latest = {"text": tracker.latest_message.get("text"), "parse_data": tracker.latest_message}
        return [*answered, *await _note(dispatcher, self.api, tracker, latest)]

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """The answer to the question the description asks, if it asks one: on the theme
        the NLU saw second, else on the one theme its details point to (the children's
        classes: schools), else from an entry clearly about it."""
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "")
        if is_payload(text):
            return []
        if not asks_question(text):
            # "collège pour mon fils qui rentre en 5e", "elle veut être infirmière": details
            # that point to one theme are what the visitor wants to hear about.
            # Nothing was asked: an entry is shown only when it clearly answers, the details
            # alone or, in a conversation on a theme, read with the question before ("on
            # habitera à 2,5 km du collège" after asking about the school bus). Without
            # details, the NLU's second reading may name the theme ("notre fils est autiste
            # et il a une AESH, on arrive à la rentrée": schools).
            ranking = latest.get("intent_ranking") or []
            details = described_theme(text, latest)
            pointed = details or asked_theme(ranking, ASKED_THEME_LEAST)
            place = slot_place(tracker)
            query = with_levels(text, latest)
            if pointed is not None:
                said = await say_if_clear(self.api, dispatcher, tracker, query, pointed, place)
                if said is not None:
                    return said
            followed = await answer_if_clear(
                self.api, dispatcher, tracker, text, [], follow_up_only=True
            )
            if followed is None and details is not None:
                # Answer first: "on a deux enfants de 5 et 9 ans" hears about enrolling them
                # at school before being asked whether it may be remembered.
                followed = await say_best_of_theme(
                    self.api, dispatcher, tracker, query, details, place
                )
            return followed or []
        theme = asked_theme(latest.get("intent_ranking") or [], ASKED_THEME_LEAST)
        theme = theme or details_theme(latest)
        if theme is not None:
            return await ThemeAnswer(self.api, dispatcher, tracker, asked_theme=theme).run()
        return await answer_if_clear(self.api, dispatcher, tracker, text, []) or []


class ActionRecordProfileConsent(UsesApi, Action):
    """ "Oui" to the consent question: the profile may be kept, starting with the message the
    question answered (a description is noted, a plan request is fulfilled)."""

    def name(self) -> str:
        return "action_record_profile_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot(CONSENT_SLOT) is True:
            # A yes after an answer that asked nothing (the link, a recap).
            dispatcher.utter_message(response="utter_anything_else_after_yes")
            return []
        consented = SlotSet(CONSENT_SLOT, True)
        asked_by = _message_before_answer(tracker)
        if intent_of(asked_by.get("parse_data")) == PLAN_INTENT:
            plan = await _make_plan(dispatcher, self.api, tracker.sender_id, dict(tracker.slots))
            return [consented, *plan]
        if intent_of(asked_by.get("parse_data")) == PROFILE_INTENT:
            return [consented, *await _note(dispatcher, self.api, tracker, asked_by)]
        dispatcher.utter_message(response="utter_profile_nothing_noted")
        return [consented]


class ActionDeclineProfile(Action):
    def name(self) -> str:
        return "action_decline_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot(CONSENT_SLOT) is True:
            dispatcher.utter_message(response="utter_anything_else_after_no")
            return []
        dispatcher.utter_message(response="utter_profile_declined")
        return [SlotSet(CONSENT_SLOT, False)]


class ActionShowProfile(Action):
    def name(self) -> str:
        return "action_show_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lines = profile_lines(Profile.from_slots(tracker.slots))
        if tracker.get_slot(CONSENT_SLOT) is False:
            dispatcher.utter_message(response="utter_profile_kept_nothing")
        elif not lines:
            dispatcher.utter_message(response="utter_profile_empty")
        else:
            dispatcher.utter_message(response="utter_profile_recap", recap=listed(lines))
        return []


class ActionMakePlan(UsesApi, Action):
    """ "Mon projet d'installation": the plan needs the agreement to keep the profile."""

    def name(self) -> str:
        return "action_make_plan"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot(CONSENT_SLOT) is not True:
            # A plan keeps the profile on the API side: asked even after an earlier no,
            # since the visitor asks for it now.
            dispatcher.utter_message(response="utter_profile_consent")
            return []
        return await _make_plan(dispatcher, self.api, tracker.sender_id, dict(tracker.slots))


class ActionEmailPlan(UsesApi, Action):
    """Sends the plan's link to the address in the message, asked for when missing; the
    address is not kept in any slot."""

    def name(self) -> str:
        return "action_email_plan"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        token = tracker.get_slot("plan_token")
        if not token:
            dispatcher.utter_message(response="utter_no_plan_yet")
            return []
        text = str(tracker.latest_message.get("text") or "")
        email = None if is_payload(text) else parse_email(text)
        if email is None:
            if intent_of(tracker.latest_message) == "email_plan":
                dispatcher.utter_message(response="utter_ask_plan_email")
            else:
                dispatcher.utter_message(response="utter_invalid_plan_email")
            return []
        try:
            sent = await self.api.email_plan(tracker.sender_id, str(token), email)
        except (ApiUnavailable, ApiRejected) as error:
            logger.warning("plan.email_failed", extra={"error": type(error).__name__})
            sent = False
        if sent is None:
            dispatcher.utter_message(response="utter_plan_gone")
            return _slot_events(dict.fromkeys(PLAN_SLOTS))
        if sent:
            dispatcher.utter_message(response="utter_plan_emailed", email=email)
        else:
            dispatcher.utter_message(response="utter_plan_email_failed")
        return []


class ActionForgetProfile(UsesApi, Action):
    """ "Oubliez mes informations": the profile, the plan's link and what the conversation
    knew of the visitor are cleared, and the API erases the conversation's plans."""

    def name(self) -> str:
        return "action_forget_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        cleared = _slot_events(
            dict.fromkeys((CONSENT_SLOT, *PROFILE_SLOTS, *PLAN_SLOTS, *CONTEXT_SLOTS))
        )
        try:
            revoked = await self.api.revoke_plans(tracker.sender_id)
        except (ApiUnavailable, ApiRejected) as error:
            logger.warning("plan.revoke_failed", extra={"error": type(error).__name__})
            dispatcher.utter_message(response="utter_forget_failed")
            return cleared
        # Both say, while the slot handoff_reference is set, that a request already handed
        # off stays with the team (domain.yml's conditional variants).
        dispatcher.utter_message(
            response="utter_profile_and_plan_forgotten" if revoked else "utter_profile_forgotten"
        )
        return cleared
