"""A visitor talks to the real assistant through Rasa's REST channel."""

import time
from pathlib import Path

import httpx
import pytest

from scripts.stack import MODEL_PATH, Stack
from tests.e2e.conftest import Say, all_text, button_titles, knowledge_body

pytestmark = pytest.mark.e2e


def first_sentence(markdown: str) -> str:
    return markdown.split("\n")[0].split(". ")[0]


def test_greeting_gets_a_french_welcome_with_a_menu_of_themes(say: Say, visitor: str) -> None:
    messages = say(visitor, "Bonjour")

    text = all_text(messages)
    assert "Bonjour" in text or "Bienvenue" in text
    titles = " ".join(button_titles(messages)).lower()
    assert "emploi" in titles
    assert "logement" in titles


def test_schools_question_is_answered_from_the_knowledge_files(
    say: Say, visitor: str, stack: Stack
) -> None:
    messages = say(visitor, "Quels lycées y a-t-il à Cahors ?")

    text = all_text(messages)
    assert first_sentence(knowledge_body(stack, "schools/lycees-cahors.md")) in text
    assert "Source" in text


def test_editing_a_knowledge_file_changes_the_answer_without_retraining(
    say: Say, visitor: str, stack: Stack
) -> None:
    models_before = sorted(p.name for p in MODEL_PATH.parent.iterdir())
    model_mtime = MODEL_PATH.stat().st_mtime
    entry = Path(stack.env["KNOWLEDGE_DIR"]) / "schools" / "lycees-cahors.md"
    front, body = entry.read_text(encoding="utf-8").rsplit("---", 1)
    marker = "Nouveauté vérifiée par l'équipe éditoriale pour ce test."
    entry.write_text(f"{front}---\n{marker}\n{body.lstrip()}", encoding="utf-8")

    deadline = time.monotonic() + 10
    text = ""
    while time.monotonic() < deadline and marker not in text:
        time.sleep(0.5)
        text = all_text(say(visitor, "Quels lycées y a-t-il à Cahors ?"))

    assert marker in text
    assert sorted(p.name for p in MODEL_PATH.parent.iterdir()) == models_before
    assert MODEL_PATH.stat().st_mtime == model_mtime


def test_rasa_http_api_refuses_a_request_without_the_token(stack: Stack) -> None:
    without = httpx.get(f"{stack.rasa_url}/status", timeout=10)
    with_token = httpx.get(
        f"{stack.rasa_url}/status", params={"token": stack.env["RASA_TOKEN"]}, timeout=10
    )

    assert without.status_code in (401, 403)
    assert with_token.status_code == 200


def test_six_turn_conversation_keeps_the_town_and_answers_each_theme(
    say: Say, visitor: str, stack: Stack
) -> None:
    welcome = all_text(say(visitor, "Bonjour !"))
    assert "Bonjour" in welcome or "Bienvenue" in welcome

    asked_place = say(visitor, "Comment ça se passe pour inscrire mes enfants à l'école ?")
    assert "Figeac" in button_titles(asked_place)

    schools = all_text(say(visitor, "Figeac"))
    assert "Figeac" in schools
    assert "Source" in schools

    housing = all_text(say(visitor, "et pour le logement ?"))
    assert first_sentence(knowledge_body(stack, "housing/logement-figeac.md")) in housing

    thanks = all_text(say(visitor, "merci beaucoup"))
    assert thanks.strip()

    goodbye = all_text(say(visitor, "au revoir"))
    assert goodbye.strip()
