"""A visitor asks for a person; a referent answers from the dashboard, live, in the widget."""

import re
import subprocess
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from scripts.stack import APP_BIN, ROOT, Stack
from tests.browser.conftest import (
    NewContext,
    Shoot,
    bot_messages,
    click_reply,
    open_chat,
    say,
    send_message,
    unique_email,
    visitor_messages,
    wait_for_answer,
)
from tests.e2e.conftest import knowledge_body

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

TEAM = "Équipe accueil du Grand-Figeac"
TEAM_LIVE = "Un·e référent·e de l'équipe accueil du Grand-Figeac est connecté·e"
REFERENT_EMAIL = "referente-grand-figeac@example.org"
REFERENT_PASSWORD = "mot-de-passe-de-test-assez-long"
REPLY = "Bonjour Camille, je connais bien Figeac : on peut en parler demain matin ?"
VISITOR_WORDS = "Oui, demain matin me convient très bien."
# The case page reads itself again every 10 s (live.js); generous for a loaded machine.
LIVE_PAGE_TIMEOUT_MS = 60_000


def create_referent(stack: Stack) -> None:
    """The operator's way: the API's command line, against the stack's database."""
    result = subprocess.run(
        [
            str(APP_BIN / "python"),
            "-m",
            "api.cli",
            "create-user",
            "--email",
            REFERENT_EMAIL,
            "--name",
            "Référente de test",
            "--role",
            "referent",
            "--team",
            "grand-figeac",
            "--password-stdin",
        ],
        input=REFERENT_PASSWORD + "\n",
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def fill_handoff_form(page: Page, *, first_name: str, email: str, commune: str) -> str:
    """Answers the assistant's questions, whatever their order; returns its confirmation."""
    for _ in range(8):
        last = bot_messages(page).last.inner_text()
        asked = last.lower()
        if "transmise" in asked and "référence" in asked:
            return last
        if "prénom" in asked:
            say(page, first_name)
        elif "e-mail" in asked or "téléphone" in asked:
            say(page, email)
        elif "commune" in asked:
            say(page, commune)
        else:
            raise AssertionError(f"unexpected question from the assistant: {last!r}")
    raise AssertionError("the assistant never confirmed the request")


def wait_for_case_text(page: Page, text: str) -> None:
    """The case page brings in new messages by itself (live.js, every 10 s): the referent
    does not reload it."""
    expect(page.get_by_text(text).first).to_be_visible(timeout=LIVE_PAGE_TIMEOUT_MS)


def test_referent_claims_replies_and_closes_from_the_dashboard_and_the_visitor_sees_it_live(
    new_context: NewContext, site_url: str, stack: Stack, shoot: Shoot
) -> None:
    visitor = new_context().new_page()
    visitor.goto(site_url)
    open_chat(visitor)
    wait_for_answer(visitor)
    say(visitor, "Je voudrais parler à une personne")
    click_reply(visitor, "Oui, je suis d'accord")
    email = unique_email()
    confirmation = fill_handoff_form(visitor, first_name="Camille", email=email, commune="Figeac")
    assert "Grand-Figeac" in confirmation
    shoot(visitor, "request-sent")

    create_referent(stack)
    referent = new_context().new_page()
    referent.goto(f"{stack.api_url}/connexion")
    referent.get_by_label("Adresse e-mail").fill(REFERENT_EMAIL)
    referent.get_by_label("Mot de passe").fill(REFERENT_PASSWORD)
    referent.get_by_role("button", name="Se connecter").click()
    referent.goto(f"{stack.api_url}/tableau-de-bord?{urlencode({'q': email})}")
    referent.locator("a[href^='/tableau-de-bord/dossiers/']").first.click()
    referent.get_by_role("button", name="Prendre en charge").click()

    status = visitor.locator(".lot-referent-status")
    expect(status).to_have_text(TEAM_LIVE)

    referent.get_by_label(re.compile("Votre réponse")).fill(REPLY)
    referent.get_by_role("button", name="Envoyer la réponse").click()
    reply = visitor.locator(".chat-bubble--bot.lot-referent").filter(has_text=REPLY)
    expect(reply).to_be_visible()
    expect(reply).to_contain_text(f"{TEAM} :")
    shoot(visitor, "referent-reply")
    shoot(referent, "dashboard-case")

    # While the referent is live, the visitor's words go to the case, not to the bot.
    send_message(visitor, VISITOR_WORDS)
    expect(visitor_messages(visitor).filter(has_text=VISITOR_WORDS)).to_be_visible()
    wait_for_case_text(referent, VISITOR_WORDS)

    referent.get_by_role("button", name="Clôturer la demande").click()
    expect(status).to_have_count(0)
    expect(visitor.locator(".chat-bubble--bot.lot-referent").filter(has_text=REPLY)).to_be_visible()

    say(visitor, "Quels lycées à Cahors ?")
    first_line = knowledge_body(stack, "schools/lycees-cahors.md").split("\n")[0]
    expect(bot_messages(visitor).filter(has_text=first_line)).not_to_have_count(0)
    shoot(visitor, "assistant-resumed")
