"""The editors' loop in a real browser: a visitor rates an answer 👎 with a reason, an editor
finds it in the review inbox grouped with a similar question, resolves it, and the analytics
show the 👎 and the unanswered count."""

import re
import subprocess

import httpx
import pytest
from playwright.sync_api import expect

from scripts.stack import APP_BIN, ROOT, Stack
from tests.browser.conftest import NewContext, Shoot, open_chat, say, wait_for_answer
from tests.conftest import TEST_TOKENS

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

QUESTION = "Comment trouver un logement à louer à Figeac ?"
SIMILAR = "Je cherche un appartement à louer à Figeac, comment faire ?"
EDITOR_EMAIL = "editrice@example.org"
EDITOR_PASSWORD = "mot-de-passe-editrice-assez-long"


def create_editor(stack: Stack) -> None:
    result = subprocess.run(
        [
            str(APP_BIN / "python"),
            "-m",
            "api.cli",
            "create-user",
            "--email",
            EDITOR_EMAIL,
            "--name",
            "Éditrice de test",
            "--role",
            "editor",
            "--password-stdin",
        ],
        input=EDITOR_PASSWORD + "\n",
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_thumbs_down_reaches_the_inbox_grouped_and_resolved_and_shows_in_the_analytics(
    new_context: NewContext, site_url: str, stack: Stack, shoot: Shoot
) -> None:
    visitor = new_context().new_page()
    visitor.goto(site_url)
    open_chat(visitor)
    wait_for_answer(visitor)
    say(visitor, QUESTION)
    rating = visitor.locator(".lot-rating").last
    expect(rating).to_contain_text("Cette réponse vous a-t-elle aidé ?")
    rating.get_by_role("button", name="Non, cette réponse ne m'a pas aidé").click()
    rating.get_by_role("button", name="Pas assez précis pour ma commune").click()
    expect(rating).to_contain_text("Un commentaire ?")
    # The answer keeps its quick replies: rating takes no turn.
    expect(visitor.locator(".chat-replies .chat-reply").first).to_be_visible()
    shoot(visitor, "thumbs-down")

    # The same question worded otherwise, recorded by the API as unanswered.
    response = httpx.post(
        f"{stack.api_url}/v1/unanswered",
        json={"text": SIMILAR, "commune": "46102"},
        headers={"Authorization": f"Bearer {TEST_TOKENS['BOT_API_TOKEN']}"},
    )
    assert response.status_code == 201

    create_editor(stack)
    editor = new_context().new_page()
    editor.goto(f"{stack.api_url}/connexion")
    editor.get_by_label("Adresse e-mail").fill(EDITOR_EMAIL)
    editor.get_by_label("Mot de passe").fill(EDITOR_PASSWORD)
    editor.get_by_role("button", name="Se connecter").click()
    editor.goto(f"{stack.api_url}/editeurs/relecture")
    group = editor.locator("article.review-group").filter(has_text=QUESTION)
    expect(group).to_contain_text("2 fois")
    expect(group).to_contain_text("1 sans réponse")
    expect(group).to_contain_text("Pas assez précis pour ma commune (1)")
    group.locator("summary", has_text="formulations").click()
    expect(group).to_contain_text(SIMILAR)
    shoot(editor, "inbox")
    group.get_by_role("button", name="Marquer « Résolu »").click()
    expect(editor.get_by_role("status")).to_contain_text("statut du groupe est enregistré")
    editor.goto(f"{stack.api_url}/editeurs/relecture?statut=resolved")
    expect(editor.locator("article.review-group").filter(has_text=QUESTION)).to_contain_text(
        "Résolu"
    )
    shoot(editor, "resolved")

    editor.goto(f"{stack.api_url}/statistiques")
    expect(editor.locator("#total-pouce-bas")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(editor.locator("#total-sans-reponse")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(editor.locator("#avis-par-fiche")).to_be_visible()
    shoot(editor, "analytics")
