"""The whole life of a case, in two browsers: the visitor's request, what they write before
the claim seen by the referent, the live exchange, the closing, the assistant back with one
rating question and a comment, and the conversation received by e-mail."""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from scripts.stack import Stack
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
    wait_for_bot,
)
from tests.browser.test_live_handoff import fill_handoff_form, wait_for_case_text
from tests.e2e.conftest import StackMailbox, knowledge_body
from tests.e2e.test_handoff import cli

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

REFERENT_EMAIL = "referente-cycle-navigateur@example.org"
REFERENT_PASSWORD = "mot-de-passe-du-cycle-complet"
WHILE_WAITING = "Et pour les crèches à Figeac ?"
REPLY = "Bonjour Camille, j’ai bien lu votre question sur les crèches : je vous réponds ici."
VISITOR_LIVE = "Merci beaucoup, c’est très clair."
COMMENT = "Réponse rapide et chaleureuse, merci"


def log_in(page: Page, stack: Stack) -> None:
    cli(
        stack,
        *("create-user", "--email", REFERENT_EMAIL, "--name", "Référente Cycle"),
        *("--role", "referent", "--team", "grand-figeac", "--password-stdin"),
        stdin=REFERENT_PASSWORD + "\n",
    )
    page.goto(f"{stack.api_url}/connexion")
    page.get_by_label("Adresse e-mail").fill(REFERENT_EMAIL)
    page.get_by_label("Mot de passe").fill(REFERENT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_the_whole_life_of_a_case_from_request_to_rating_and_transcript_by_email(
    new_context: NewContext, site_url: str, stack: Stack, shoot: Shoot, mailbox: StackMailbox
) -> None:
    visitor = new_context().new_page()
    visitor.goto(site_url)
    open_chat(visitor)
    wait_for_answer(visitor)
    say(visitor, "Je voudrais parler à une personne")
    click_reply(visitor, "Oui, je suis d'accord")
    email = unique_email()
    confirmation = fill_handoff_form(visitor, first_name="Camille", email=email, commune="Figeac")
    assert "L’équipe voit toute notre conversation" in confirmation
    assert "je continue à répondre à vos questions" in confirmation

    # Before anyone claims the case, the assistant still answers.
    say(visitor, WHILE_WAITING)
    shoot(visitor, "1-waiting-answered-by-the-assistant")

    referent = new_context().new_page()
    log_in(referent, stack)
    referent.goto(f"{stack.api_url}/tableau-de-bord?{urlencode({'q': email})}")
    referent.locator("a[href^='/tableau-de-bord/dossiers/']").first.click()
    transcript = referent.locator(".transcript")
    expect(transcript).to_contain_text("en attendant qu’un référent la prenne en charge")
    expect(transcript.locator(".turn-visitor").last).to_contain_text(WHILE_WAITING)
    shoot(referent, "2-referent-sees-the-waiting-messages")

    seen = bot_messages(visitor).count()
    referent.get_by_role("button", name="Prendre en charge").click()
    wait_for_bot(visitor, seen)
    expect(visitor.locator(".lot-referent-status")).to_be_visible()
    expect(bot_messages(visitor).filter(has_text="a rejoint la conversation")).to_have_count(1)

    referent.get_by_label(re.compile("Votre réponse")).fill(REPLY)
    referent.get_by_role("button", name="Envoyer la réponse").click()
    expect(visitor.locator(".chat-bubble--bot.lot-referent").filter(has_text=REPLY)).to_be_visible()
    send_message(visitor, VISITOR_LIVE)
    expect(visitor_messages(visitor).filter(has_text=VISITOR_LIVE)).to_be_visible()
    wait_for_case_text(referent, VISITOR_LIVE)
    shoot(visitor, "3-live-exchange")

    referent.get_by_role("button", name="Clôturer la demande").click()
    expect(visitor.locator(".lot-referent-status")).to_have_count(0)
    expect(bot_messages(visitor).filter(has_text="de 1 (pas du tout) à 5")).to_be_visible()
    shoot(visitor, "4-back-with-the-assistant-rating-question")

    click_reply(visitor, re.compile(r"^5$"))
    say(visitor, COMMENT)
    expect(bot_messages(visitor).last).to_contain_text(email)
    before = len(mailbox.messages)
    click_reply(visitor, "Oui, envoyez-la-moi")
    expect(bot_messages(visitor).filter(has_text=f"C'est envoyé à {email}")).to_be_visible()
    shoot(visitor, "5-transcript-sent")

    mails = [m for m in mailbox.wait_for(before + 1)[before:] if m[0] == [email]]
    assert mails, "the transcript never reached the test SMTP server"
    body = mails[-1][1].get_content()
    assert REPLY in body
    assert WHILE_WAITING in body
    assert VISITOR_LIVE in body

    referent.reload()
    expect(referent.get_by_text(f"5 sur 5 : « {COMMENT} »")).to_be_visible()
    expect(referent.get_by_text("Conversation envoyée")).to_be_visible()
    shoot(referent, "6-case-rated-and-transcript-recorded")
    referent.goto(f"{stack.api_url}/tableau-de-bord")
    expect(referent.locator("table.ratings")).to_contain_text("Équipe accueil du Grand-Figeac")
    shoot(referent, "7-ratings-per-team")

    say(visitor, "Quels lycées à Cahors ?")
    first_line = knowledge_body(stack, "schools/lycees-cahors.md").split("\n")[0]
    expect(bot_messages(visitor).filter(has_text=first_line)).not_to_have_count(0)
