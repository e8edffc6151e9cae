"""What the API and the action server must agree on, written once.

Plain Python only (no pydantic, Rasa, FastAPI or HTTP client): the API imports it from
the app env (.venv) and the action server from the bot env (.venv-bot, Python 3.10), both
with the repository root on the path. See docs/contracts.md.
"""
