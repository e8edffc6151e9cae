"""rasa-sdk's plugin package: the name is rasa-sdk's (rasa_sdk/plugin.py imports it when the
action server starts). It only registers the action server's start and stop hooks, which
live with the actions (bot/actions/server.py)."""

from __future__ import annotations

import pluggy


def init_hooks(manager: pluggy.PluginManager) -> None:
    from bot.actions import server

    manager.register(server)
