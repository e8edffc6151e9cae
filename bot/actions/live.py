"""Live relay between the visitor and a referent, once a case has been claimed.

The API sends the referent's side as external intents (docs/contracts.md); while
`handoff_live` is true, LiveHandoffPolicy routes every visitor message to
`action_forward_to_referent` instead of the NLU's answer.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.api_client import ApiRejected, ApiUnavailable, UsesApi
from bot.actions.bounds import split_message
from bot.actions.conversation import entity_values
from bot.actions.texts import NUMBERS
from contract.rasa import is_external

logger = logging.getLogger(__name__)
DEFAULT_TEAM = "L'équipe d'accueil"


def _team(tracker: Tracker) -> str:
    return next(
        iter(entity_values(tracker.latest_message, "referent_team")),
        tracker.get_slot("handoff_team") or DEFAULT_TEAM,
    )


class _ExternalAction(Action, ABC):
    """Runs only for intents the API really sent: a visitor cannot type their way into
    the referent's role, even if the NLU mistook their words for an external intent."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not is_external(tracker.latest_message):
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        return self.relay(dispatcher, tracker)

    @abstractmethod
    def relay(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """The external intent's effect on the visitor's side."""


class ActionReferentJoined(_ExternalAction):
    def name(self) -> str:
        return "action_referent_joined"

    def relay(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        team = _team(tracker)
        takeover = bool(entity_values(tracker.latest_message, "referent_takeover"))
        response = "utter_referent_took_over" if takeover else "utter_referent_joined"
        dispatcher.utter_message(response=response, team=team)
        return [SlotSet("handoff_live", True), SlotSet("handoff_team", team)]


class ActionRelayReferentMessage(_ExternalAction):
    def name(self) -> str:
        return "action_relay_referent_message"

    def relay(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        team = _team(tracker)
        message = next(iter(entity_values(tracker.latest_message, "referent_message")), "")
        if message.strip():
            dispatcher.utter_message(text=f"{team} : {message.strip()}")
        # A referent who writes is in the conversation: the visitor's answers go to them.
        return [SlotSet("handoff_live", True), SlotSet("handoff_team", team)]


class ActionHandoffClosed(_ExternalAction):
    """The assistant takes over again, then asks one question about the exchange."""

    def name(self) -> str:
        return "action_handoff_closed"

    def relay(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_closed", team=_team(tracker))
        if tracker.get_slot("handoff_reference"):
            dispatcher.utter_message(response="utter_ask_satisfaction")
        return [SlotSet("handoff_live", False)]


class ActionForwardToReferent(UsesApi, Action):
    def name(self) -> str:
        return "action_forward_to_referent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "").strip()
        if not text:
            return []
        parts, left_out = split_message(text)
        api = self.api
        try:
            for part in parts:
                if not await api.forward_visitor_message(tracker.sender_id, part):
                    dispatcher.utter_message(response="utter_live_case_over")
                    return [SlotSet("handoff_live", False)]
        except ApiUnavailable:
            logger.warning("live.forward_failed", extra={"sender": tracker.sender_id})
            dispatcher.utter_message(response="utter_forward_failed")
            return []
        except ApiRejected as error:
            # Sending the same words again would be refused again: say so, do not ask for it.
            logger.error(
                "live.forward_rejected",
                extra={"sender": tracker.sender_id, "status": error.status_code},
            )
            dispatcher.utter_message(response="utter_forward_rejected")
            return []
        if len(parts) > 1 or left_out:
            dispatcher.utter_message(text=long_message_forwarded_text(len(parts), left_out))
        # Otherwise the referent answers; the assistant stays silent.
        return []


def long_message_forwarded_text(parts: int, left_out: int) -> str:
    sent = (
        f"Votre message était long : je l'ai transmis à l'équipe en {NUMBERS.get(parts, parts)} "
        "parties."
        if parts > 1
        else "Votre message était long : je l'ai transmis à l'équipe."
    )
    if left_out:
        sent += (
            f" Les {left_out} derniers caractères n'ont pas pu suivre : si c'était important, "
            "envoyez-les dans un nouveau message."
        )
    return sent
