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


# A first question per theme, with no town: the answer comes at once, never a place
# question alone.
FIRST_QUESTIONS = {
    "jobs": "Comment trouver du travail quand on arrive dans le Lot ?",
    "business": "Je voudrais créer mon entreprise, qui peut m'accompagner ?",
    "retraining": "Je veux me reconvertir, quelles formations pour adultes ?",
    "schools": "Comment inscrire mes enfants à l'école ?",
    "housing": "Comment trouver une maison à louer ?",
    "health": "Comment trouver un médecin traitant ?",
    "transport": "Comment se déplacer sans voiture ?",
    "leisure": "Quels loisirs pour les enfants le week-end ?",
    "living": "Est-ce qu'on peut télétravailler, la fibre arrive partout ?",
}


def first_sentences_of_theme(stack: Stack, theme: str) -> list[str]:
    folder = Path(stack.env["KNOWLEDGE_DIR"]) / theme
    return [
        first_sentence(knowledge_body(stack, f"{theme}/{path.name}"))
        for path in folder.glob("*.md")
        if path.name != "README.md"
    ]


@pytest.mark.parametrize("theme", sorted(FIRST_QUESTIONS))
def test_a_first_question_on_each_theme_is_answered_at_once(
    say: Say, visitor: str, stack: Stack, theme: str
) -> None:
    messages = say(visitor, FIRST_QUESTIONS[theme])

    text = all_text(messages)
    assert any(sentence in text for sentence in first_sentences_of_theme(stack, theme)), text
    assert "Mis à jour le" in text
    assert "dans quel secteur" not in text


def test_a_question_on_the_territory_is_answered_from_its_data(say: Say, visitor: str) -> None:
    text = all_text(say(visitor, "Quel est le code postal de Souillac ?"))

    assert "46200" in text
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

    # The API's file watcher runs in another process, which tells this test nothing when it
    # has reloaded: the question is asked again until the answer changes. A reload takes
    # about a second alone, many more on a CI machine running every suite at once.
    deadline = time.monotonic() + 60
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
