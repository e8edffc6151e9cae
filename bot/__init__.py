"""Rasa project of the assistant: training data, custom actions and the live-handoff policy."""
