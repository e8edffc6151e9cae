"""After a referent closed the case: the visitor's rating, an optional comment, and the
conversation sent by e-mail when they ask for it (docs/contracts.md)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.api_client import ApiRejected, ApiUnavailable, UsesApi
from bot.actions.conversation import entity_values, intent_of, is_payload

logger = logging.getLogger(__name__)
# While true, LiveHandoffPolicy sends the visitor's next message to the comment action.
COMMENT_SLOT = "satisfaction_comment_pending"


def _offer_transcript(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    if tracker.get_slot("contact_email"):
        dispatcher.utter_message(response="utter_offer_transcript")
    else:
        dispatcher.utter_message(response="utter_anything_else")


class ActionRecordSatisfaction(UsesApi, Action):
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
            await self.api.rate_handoff(tracker.sender_id, reference, score=int(rating))
        except (ApiUnavailable, ApiRejected) as error:
            logger.warning("closing.rating_failed", extra={"error": str(error)[:200]})
            dispatcher.utter_message(response="utter_rating_failed")
            _offer_transcript(dispatcher, tracker)
            return []
        dispatcher.utter_message(response="utter_satisfaction_recorded")
        return [SlotSet(COMMENT_SLOT, True)]


class ActionRecordSatisfactionComment(UsesApi, Action):
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
                await self.api.rate_handoff(tracker.sender_id, reference, comment=text[:1000])
                dispatcher.utter_message(response="utter_comment_recorded")
            except (ApiUnavailable, ApiRejected) as error:
                logger.warning("closing.comment_failed", extra={"error": str(error)[:200]})
                dispatcher.utter_message(response="utter_rating_failed")
        _offer_transcript(dispatcher, tracker)
        return [SlotSet(COMMENT_SLOT, False)]


class ActionSendTranscript(UsesApi, Action):
    def name(self) -> str:
        return "action_send_transcript"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reference = tracker.get_slot("handoff_reference")
        if not reference or not tracker.get_slot("contact_email"):
            dispatcher.utter_message(response="utter_anything_else")
            return []
        try:
            sent = await self.api.email_transcript(tracker.sender_id, reference)
        except (ApiUnavailable, ApiRejected) as error:
            logger.warning("closing.transcript_failed", extra={"error": str(error)[:200]})
            sent = False
        dispatcher.utter_message(
            response="utter_transcript_sent" if sent else "utter_transcript_failed"
        )
        return []
