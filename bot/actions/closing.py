"""After a referent closed the case: the visitor's rating, an optional comment, and the
conversation sent by e-mail when they ask for it (docs/contracts.md)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import texts
from bot.actions.api_client import ApiClient, ApiRejected, ApiUnavailable
from bot.actions.conversation import entity_values, intent_of, is_payload

logger = logging.getLogger(__name__)
# While true, LiveHandoffPolicy sends the visitor's next message to the comment action.
COMMENT_SLOT = "satisfaction_comment_pending"


def _say(dispatcher: CollectingDispatcher, reply: texts.Reply) -> None:
    dispatcher.utter_message(**texts.as_message(reply))


def _offer_transcript(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    email = tracker.get_slot("contact_email")
    if email:
        _say(dispatcher, texts.transcript_offer_reply(str(email)))
    else:
        dispatcher.utter_message(response="utter_anything_else")


class ActionRecordSatisfaction(Action):
    def name(self) -> str:
        return "action_record_satisfaction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference = tracker.get_slot("handoff_reference")
        rating = next(iter(entity_values(tracker.latest_message, "rating")), "")
        if not reference or not rating.isdigit():
            dispatcher.utter_message(response="utter_anything_else")
            return []
        try:
            await ApiClient().rate_handoff(tracker.sender_id, reference, score=int(rating))
        except (ApiUnavailable, ApiRejected) as error:
            logger.warning("closing.rating_failed", extra={"error": str(error)[:200]})
            dispatcher.utter_message(text=texts.rating_failed_text())
            _offer_transcript(dispatcher, tracker)
            return []
        _say(dispatcher, texts.satisfaction_recorded_reply())
        return [SlotSet(COMMENT_SLOT, True)]


class ActionRecordSatisfactionComment(Action):
    """The message after the rating is the comment, unless the visitor said "Non merci"."""

    def name(self) -> str:
        return "action_record_satisfaction_comment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "").strip()
        reference = tracker.get_slot("handoff_reference")
        if reference and text and not is_payload(text) and intent_of(latest) != "deny":
            try:
                await ApiClient().rate_handoff(tracker.sender_id, reference, comment=text[:1000])
                dispatcher.utter_message(text=texts.comment_recorded_text())
            except (ApiUnavailable, ApiRejected) as error:
                logger.warning("closing.comment_failed", extra={"error": str(error)[:200]})
                dispatcher.utter_message(text=texts.rating_failed_text())
        _offer_transcript(dispatcher, tracker)
        return [SlotSet(COMMENT_SLOT, False)]


class ActionSendTranscript(Action):
    def name(self) -> str:
        return "action_send_transcript"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference = tracker.get_slot("handoff_reference")
        email = tracker.get_slot("contact_email")
        if not reference or not email:
            dispatcher.utter_message(response="utter_anything_else")
            return []
        try:
            sent = await ApiClient().email_transcript(tracker.sender_id, reference)
        except (ApiUnavailable, ApiRejected) as error:
            logger.warning("closing.transcript_failed", extra={"error": str(error)[:200]})
            sent = False
        _say(
            dispatcher,
            texts.transcript_sent_reply(str(email)) if sent else texts.transcript_failed_reply(),
        )
        return []
