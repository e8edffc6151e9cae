"""Issue 20's acceptance, in headless Chromium over the real stack: a family tells the chat
about itself, looks at Figeac, asks for "Mon projet d'installation", opens and prints it,
has the link e-mailed, then asks the assistant to forget it, and the link stops working."""

import os
import shutil

import pytest
from playwright.sync_api import Page, expect

from scripts.stack import ROOT
from tests.browser.conftest import (
    NewContext,
    Shoot,
    bot_messages,
    click_reply,
    open_chat,
    say,
    wait_for_answer,
)
from tests.e2e.conftest import StackMailbox

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

DOCS_SCREENSHOT = ROOT / "docs" / "screenshots" / "plan-from-chat-print.png"
PLAN_LINK = "ouvrir mon projet d'installation"
ADDRESS = "famille.plan@example.org"


def answered(page: Page, words: str) -> None:
    """The answer to the visitor's last message (in one bubble per paragraph) says `words`."""
    answer = page.locator(".chat-messages > .chat-message--bot:not(:has(~ .chat-message--visitor))")
    expect(answer.filter(has_text=words)).not_to_have_count(0)


def test_a_family_gets_its_plan_from_the_chat_prints_it_and_has_it_forgotten(
    new_context: NewContext, site_url: str, mailbox: StackMailbox, shoot: Shoot
) -> None:
    context = new_context()
    chat = context.new_page()
    chat.goto(site_url)
    open_chat(chat)
    wait_for_answer(chat)

    say(chat, "Bonjour ! Nous avons deux enfants, une grande au collège et un petit en maternelle.")
    answered(chat, "Voulez-vous que je retienne")
    click_reply(chat, "Oui, retenez-les")
    answered(chat, "deux enfants (collège, maternelle)")

    say(chat, "Je suis infirmière et mon mari est électricien.")
    answered(chat, "infirmière")
    answered(chat, "électricien")

    say(chat, "Figeac")
    say(chat, "Je voudrais mon projet d'installation")
    link = bot_messages(chat).get_by_role("link", name=PLAN_LINK).last
    expect(link).to_be_visible()
    url = link.get_attribute("href")
    assert url is not None
    assert "/projet/" in url
    shoot(chat, "chat-with-link")

    plan = context.new_page()
    response = plan.goto(url)
    assert response is not None
    assert response.status == 200
    expect(plan.get_by_role("heading", level=1)).to_have_text(
        "Mon projet d’installation dans le Lot"
    )
    for section in (
        "Ce que vous nous avez dit",
        "La scolarité des enfants",
        "Se loger, se soigner, se déplacer",
        "Les offres en cours",
        "Votre équipe accueil",
    ):
        expect(plan.get_by_role("heading", name=section, level=2)).to_be_visible()
    said = plan.locator("#profil")
    for words in ("Figeac", "infirmière", "électricien", "collège", "maternelle"):
        expect(said).to_contain_text(words)
    expect(plan.get_by_role("heading", name="Le collège", level=3)).to_be_visible()
    expect(plan.get_by_role("heading", name="Adulte 1 : infirmière", level=3)).to_be_visible()
    expect(plan.get_by_role("heading", name="Adulte 2 : électricien", level=3)).to_be_visible()
    expect(plan.locator("#equipe")).to_contain_text("Équipe accueil du Grand-Figeac")

    plan.emulate_media(media="print")
    expect(plan.get_by_role("button", name="Effacer ce projet maintenant")).to_be_hidden()
    printed = shoot(plan, "print")
    plan.screenshot(path=str(printed), full_page=True)
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(printed, DOCS_SCREENSHOT)

    already = len(mailbox.messages)
    say(chat, f"Envoyez-le moi par mail à {ADDRESS}")
    answered(chat, f"C'est envoyé à {ADDRESS}")
    recipients, mail = mailbox.wait_for(already + 1)[-1]
    assert recipients == [ADDRESS]
    assert url in mail.get_content()

    say(chat, "Oubliez mes informations")
    answered(chat, "Le lien de votre projet d'installation ne fonctionne plus")
    gone = plan.goto(url)
    assert gone is not None
    assert gone.status == 410
    expect(plan.get_by_role("heading", level=1)).to_have_text("Ce lien ne mène à aucun projet")
    expect(plan.get_by_text("infirmière")).to_have_count(0)
    say(chat, "Qu'avez-vous retenu ?")
    answered(chat, "Je n'ai rien retenu de votre projet")
