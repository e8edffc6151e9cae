"""Rasa's SQL tracker store and Redis lock store, each with one fix for running several
servers in production (see endpoints.yml and docs/production.md)."""
