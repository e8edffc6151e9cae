"""While a referent is live in the conversation, the visitor talks to them, not to the bot.

When slot `handoff_live` is true and the visitor has just written (any intent except the
EXTERNAL_* ones sent by the API or the outbox, see `contract.rasa`), this policy predicts
`action_forward_to_referent` (or, once the case is closed and rated,
`action_record_satisfaction_comment` while `satisfaction_comment_pending` is true) with
full confidence and a priority above RulePolicy's, then `action_listen`. Otherwise it
abstains (all zeros) and the usual policies decide. It learns nothing from the stories.
"""

from __future__ import annotations

from typing import Any

from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from contract.rasa import EXTERNAL_INTENT_PREFIX


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class LiveHandoffPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Above RulePolicy: a rule for the visitor's intent must not answer instead.
            POLICY_PRIORITY: RULE_POLICY_PRIORITY + 2,
            "live_slot": "handoff_live",
            "forward_action": "action_forward_to_referent",
            # After the closing rating, the next message is the visitor's comment.
            "comment_slot": "satisfaction_comment_pending",
            "comment_action": "action_record_satisfaction_comment",
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self._live_slot = config["live_slot"]
        self._forward_action = str(config["forward_action"])
        self._comment_slot = config["comment_slot"]
        self._comment_action = str(config["comment_action"])

    def train(
        self,
        training_trackers: list[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        return self._resource

    def next_action(self, tracker: DialogueStateTracker) -> str | None:
        """The action this policy insists on, or None when it abstains."""
        # Its own actions end the turn, even one that has just cleared its slot.
        if tracker.latest_action_name in (self._forward_action, self._comment_action):
            return str(ACTION_LISTEN_NAME)
        if tracker.get_slot(self._live_slot):
            action = self._forward_action
        elif tracker.get_slot(self._comment_slot):
            action = self._comment_action
        else:
            return None
        if tracker.latest_action_name != ACTION_LISTEN_NAME or tracker.latest_message is None:
            return None
        intent = tracker.latest_message.intent.get("name") or ""
        if not intent or intent.startswith(EXTERNAL_INTENT_PREFIX):
            return None
        return action

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = self.next_action(tracker)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)
