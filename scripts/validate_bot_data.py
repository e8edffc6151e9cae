"""`rasa data validate --fail-on-warnings`, counting the responses sent from code as used.

Rasa warns about every response that no story or rule names, and `--fail-on-warnings`
turns that into a failure. Two kinds are used from code, where Rasa cannot see them:
- the custom actions' fixed sentences, `dispatcher.utter_message(response="utter_…")`
  in bot/actions/;
- the forms' questions, `utter_ask_<slot>`, which Rasa's forms send themselves.
This runs Rasa's own validation with those counted as used, after checking the reverse:
a response named in bot/actions/ that domain.yml lacks is reported with its file and
line (Rasa would only log an error and say nothing to the visitor).

Run by `make bot-validate`, from the repository root, with the bot env.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import rasa.cli.utils
import rasa.validator
import yaml
from rasa.shared.core.events import ActionExecuted
from rasa.shared.importers.importer import TrainingDataImporter

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = ROOT / "bot" / "actions"
DOMAIN = ROOT / "domain.yml"
# A response name written as a string literal in the actions' code.
RESPONSE_NAME = re.compile(r"""["'](utter_[a-z0-9_]+)["']""")


def responses_in_code() -> dict[str, tuple[Path, int]]:
    """Each response name the actions write, with where it is first written."""
    found: dict[str, tuple[Path, int]] = {}
    for path in sorted(ACTIONS.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in RESPONSE_NAME.findall(line):
                found.setdefault(name, (path, number))
    return found


def form_questions(domain: dict[str, Any]) -> set[str]:
    return {
        f"utter_ask_{slot}"
        for form in (domain.get("forms") or {}).values()
        for slot in form.get("required_slots") or []
    }


def main() -> int:
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    responses = set(domain.get("responses") or {})
    in_code = responses_in_code()
    missing = sorted(name for name in in_code if name not in responses)
    for name in missing:
        path, line = in_code[name]
        print(
            f"{path.relative_to(ROOT)}:{line}: response {name} is not in domain.yml: "
            "add it under `responses:` or fix the name"
        )
    if missing:
        return 1
    used_from_code = (set(in_code) | form_questions(domain)) & responses

    class Validator(rasa.validator.Validator):  # type: ignore[misc]
        def _gather_utterance_actions(self) -> set[str]:
            # Left out of the responses that stories must use; those stories do use stay in,
            # or Rasa would call them unknown.
            in_stories = {
                event.action_name
                for step in self.story_graph.story_steps
                for event in step.events
                if isinstance(event, ActionExecuted)
            }
            utterances = set(super()._gather_utterance_actions())
            return utterances - (used_from_code - in_stories)

    # validate_files builds its validator from this module attribute.
    rasa.validator.Validator = Validator
    importer = TrainingDataImporter.load_from_config(
        domain_path=str(DOMAIN),
        training_data_paths=[str(ROOT / "bot" / "data")],
        config_path=str(ROOT / "config.yml"),
    )
    # Exits with Rasa's own message when a check fails.
    rasa.cli.utils.validate_files(True, None, importer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
