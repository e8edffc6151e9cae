"""Custom dialogue policies, listed by module path in config.yml.

Loading them also makes Rasa check action server responses with a compiled validator
(action_response_check.py) and build a conversation's dialogue states once rather than on
every prediction (state_history.py): this package is what every Rasa server imports.
"""

from bot.policies import action_response_check, state_history

action_response_check.install()
state_history.install()
