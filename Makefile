# The single entry point. `make run` and `make test` install whatever is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

APP := .venv/bin
BOT := .venv-bot/bin
export PYTHONPATH := $(CURDIR)
# Rasa would otherwise try to send usage telemetry to rasa.com, which a closed network refuses.
export RASA_TELEMETRY_ENABLED := false

.PHONY: help install web run run-prod test lint format validate bot-validate train train-force eval-nlu eval-intents eval-answers bench clean

help:
	@echo "make run       install what is missing, train if needed, start API + actions + Rasa"
	@echo "make test      install what is missing, run every test suite"
	@echo "make run-prod  local production mode: 2 Rasa + 2 action servers behind nginx, PostgreSQL, Redis"
	@echo "make lint      ruff + mypy"
	@echo "make validate  check the knowledge files (knowledge/)"
	@echo "make train     train the Rasa model if its inputs changed"
	@echo "make web       install the demo page's front-end packages (socket.io client, axe-core; npm)"
	@echo "make eval-nlu  5-fold NLU cross-validation, report in reports/"
	@echo "make eval-intents  1-minute intent-only cross-validation, to sweep classifier changes"
	@echo "make eval-answers  top-1 answer accuracy on tests/answers/ through the real stack"
	@echo "make bench     benchmarks, figures printed and written to reports/"

install: .venv/.installed .venv-bot/.installed

.venv/.installed: requirements/app.txt
	scripts/ensure_env.sh app

.venv-bot/.installed: requirements/bot.txt
	scripts/ensure_env.sh bot

train: install
	scripts/train_if_needed.sh

WEB_BUNDLE := api/site/static/vendor/socket.io.min.js

web: $(WEB_BUNDLE)

$(WEB_BUNDLE): web/package-lock.json scripts/build_web.sh
	scripts/build_web.sh

train-force: install
	scripts/train_if_needed.sh --force

run: train web
	$(APP)/python -m scripts.stack run

run-prod: train web
	$(APP)/python -m scripts.prod_stack run

# bot/ (and the contract it shares with api/) runs on Rasa's Python and packages: the same
# mypy checks it, reading the bot env.
lint: .venv/.installed .venv-bot/.installed
	$(APP)/ruff check .
	$(APP)/ruff format --check .
	$(APP)/mypy
	$(APP)/mypy --python-executable $(BOT)/python --python-version 3.10 bot contract rasa_sdk_plugins

format: .venv/.installed
	$(APP)/ruff format .
	$(APP)/ruff check --fix .

validate: .venv/.installed
	$(APP)/python -m api.cli validate

bot-validate: .venv-bot/.installed
	$(BOT)/python scripts/validate_bot_data.py
	$(BOT)/python scripts/check_nlu_data.py

test: install train web
	scripts/run_tests.sh

eval-nlu: train
	scripts/eval_nlu.sh

eval-intents: .venv-bot/.installed
	PYTHONPATH=$(CURDIR) $(BOT)/python -m bot.nlu.quick_cv

eval-answers: train web
	$(APP)/python -m scripts.eval_answers

bench: train
	$(APP)/python -m bench

clean:
	rm -rf var models reports .pytest_cache .mypy_cache .ruff_cache
