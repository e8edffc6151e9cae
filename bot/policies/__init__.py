"""Custom dialogue policies, listed by module path in config.yml.

Loading them also makes Rasa check action server responses with a compiled validator
(action_response_check.py says why): this package is what every Rasa server imports.
"""

from bot.policies.action_response_check import install

install()
