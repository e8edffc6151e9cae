"""Rasa's SQL tracker store and Redis lock store, each with one fix for running several
servers in production (see endpoints.yml and docs/production.md).

Importing the package also makes Rasa look stored events' classes up by name in a table
(event_types.py says why): every Rasa server imports it for its tracker store."""

from bot.stores.event_types import install

install()
