"""Custom dialogue policies, listed by module path in config.yml.

Loading them also makes Rasa check action server responses with a compiled validator
(action_response_check.py), build a conversation's dialogue states once rather than on
every prediction (state_history.py) and write each event as JSON for the action server once
(action_call.py): this package is what every Rasa server imports.
"""

from bot.policies import action_call, action_response_check, state_history

action_call.install()
action_response_check.install()
state_history.install()
