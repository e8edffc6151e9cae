"""A message the NLU reads as out of scope: the out-of-scope reply, unless it comes in a
conversation on a theme, the NLU's next reading is a theme, and an entry is clearly about
it ("et un véto pour le chien ?" after questions on daily life around Gramat)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.api_client import UsesApi
from bot.actions.conversation import is_payload, next_theme_reading
from bot.actions.knowledge import OUT_OF_SCOPE_INTENT, say_if_clear, slot_place

# Measured on the turns of the tuning split and development batches (not dev9) that got the
# out-of-scope reply: at 0.2, 7 in-domain turns answered right and no out-of-scope turn
# answered; at 0.15, 10 and 2; at 0.1, 13 and 3. On first messages, with no conversation
# yet, the same rescue answered as many out-of-scope questions as it saved: not done there.
NEXT_READING_LEAST = 0.2


class ActionOutOfScope(UsesApi, Action):
    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "")
        theme = next_theme_reading(
            latest.get("intent_ranking") or [], OUT_OF_SCOPE_INTENT, NEXT_READING_LEAST
        )
        if theme and tracker.get_slot("last_theme") and text and not is_payload(text):
            said = await say_if_clear(
                self.api, dispatcher, tracker, text, theme, slot_place(tracker)
            )
            if said is not None:
                return said
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
