"""The API's side of Rasa's HTTP API: what the referent does, sent into the visitor's
conversation as external intents, and the conversation read back for the transcript.

The request itself is built by `contract.rasa`, shared with the action server's outbox,
the one other caller of `trigger_intent` (it announces a handoff that waited out an API
outage). See docs/contracts.md for the intents and entities.
"""

from typing import Any

import httpx
import structlog
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from api.core.config import Settings
from contract import rasa
from contract.rasa import HANDOFF_CLAIMED, HANDOFF_CLOSED, REFERENT_MESSAGE

log = structlog.get_logger(__name__)


class _Retryable(Exception):
    """Rasa down, restarting or overloaded: worth another try."""


class _Rejected(Exception):
    """Rasa answered but refused (bad token, unknown intent): retrying will not help."""


class RasaRelay:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_seconds: float = 2.0,
        attempts: int = 3,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 1.0))
        self._attempts = attempts

    def referent_message(self, conversation_id: str, text: str, team_name: str) -> bool:
        return self.trigger_intent(
            conversation_id,
            REFERENT_MESSAGE,
            {"referent_message": text, "referent_team": team_name},
        )

    def handoff_claimed(self, conversation_id: str, team_name: str, *, takeover: bool) -> bool:
        """`takeover`: a colleague took the case from the referent the visitor talked to."""
        entities = {"referent_team": team_name}
        if takeover:
            entities["referent_takeover"] = "true"
        return self.trigger_intent(conversation_id, HANDOFF_CLAIMED, entities)

    def handoff_closed(self, conversation_id: str, team_name: str) -> bool:
        return self.trigger_intent(conversation_id, HANDOFF_CLOSED, {"referent_team": team_name})

    def trigger_intent(self, conversation_id: str, intent: str, entities: dict[str, str]) -> bool:
        """True when Rasa took the intent; False (logged) when it is down or refused."""
        request = rasa.trigger_intent(conversation_id, intent, entities, self._token)
        url = self._base_url + request.path
        try:
            with httpx.Client(timeout=self._timeout) as client:
                for attempt in Retrying(
                    stop=stop_after_attempt(self._attempts),
                    wait=wait_exponential(multiplier=0.2, max=1.0),
                    retry=retry_if_exception_type(_Retryable),
                    reraise=True,
                ):
                    with attempt:
                        _post(client, url, request.params, request.body)
        except (_Retryable, _Rejected) as error:
            log.warning(
                "rasa.trigger_intent_failed",
                conversation_id=conversation_id,
                intent=intent,
                reason=str(error),
            )
            return False
        log.info("rasa.trigger_intent", conversation_id=conversation_id, intent=intent)
        return True

    def conversation_events(self, conversation_id: str) -> list[dict[str, Any]] | None:
        """Every event of the conversation (Rasa's tracker); None when Rasa cannot say."""
        url = self._base_url + rasa.conversation_path(conversation_id, "tracker")
        params = {"include_events": "ALL", "token": self._token}
        try:
            with httpx.Client(timeout=self._timeout) as client:
                response = client.get(url, params=params)
            response.raise_for_status()
            events = response.json().get("events")
        except (httpx.HTTPError, ValueError, AttributeError) as error:
            log.warning(
                "rasa.tracker_unavailable",
                conversation_id=conversation_id,
                reason=type(error).__name__,
            )
            return None
        return (
            [event for event in events if isinstance(event, dict)]
            if isinstance(events, list)
            else None
        )


def _post(client: httpx.Client, url: str, params: dict[str, str], body: object) -> None:
    try:
        response = client.post(url, params=params, json=body)
    except httpx.TransportError as error:
        raise _Retryable(type(error).__name__) from error
    if response.status_code >= 500:
        raise _Retryable(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise _Rejected(f"HTTP {response.status_code}")


def relay_from_settings(settings: Settings) -> RasaRelay:
    return RasaRelay(settings.rasa_url, settings.rasa_token)
