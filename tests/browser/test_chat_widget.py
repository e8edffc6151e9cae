"""A visitor uses the chat on the demo page, in headless Chromium, against the real stack."""

import os
import shutil
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from scripts.stack import ROOT, Stack
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    NewContext,
    Shoot,
    bot_messages,
    open_chat,
    say,
    session_id,
    trigger_intent,
    visitor_messages,
    wait_for_answer,
    wait_for_bot,
)
from tests.e2e.conftest import knowledge_body

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SCHOOLS_QUESTION = "Quels lycées à Cahors ?"
TEAM = "Équipe accueil du Grand-Figeac"
TEAM_LIVE = "Un·e référent·e de l'équipe accueil du Grand-Figeac est connecté·e"
SUGGESTED = "Quels sont les lycées à Cahors ?"
HOSTILE = '<img src=x onerror="window.__xss = 1"> [ouvrir](javascript:window.__xss=2) <b>gras</b>'
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"


def source_urls(stack: Stack, relative: str) -> set[str]:
    text = (Path(stack.env["KNOWLEDGE_DIR"]) / relative).read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---", 2)[1])
    return {source["url"].rstrip("/") for source in front["sources"]}


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    open_chat(page)
    wait_for_answer(page)


def test_visitor_asks_about_schools_and_sees_the_answer_with_its_source_link(
    new_context: NewContext, site_url: str, stack: Stack, shoot: Shoot
) -> None:
    page = new_context().new_page()

    open_page(page, site_url)
    expect(page.locator(".chat-replies .chat-reply").first).to_be_visible()
    say(page, SCHOOLS_QUESTION)
    shoot(page, "answer")

    first_line = knowledge_body(stack, "schools/lycees-cahors.md").split("\n")[0]
    expect(bot_messages(page).filter(has_text=first_line)).not_to_have_count(0)
    sources = source_urls(stack, "schools/lycees-cahors.md")
    links = bot_messages(page).locator("a[href]")
    source_links = [
        links.nth(i)
        for i in range(links.count())
        if (links.nth(i).get_attribute("href") or "").rstrip("/") in sources
    ]
    assert source_links, f"no link to {sorted(sources)} in the answer"
    assert source_links[0].get_attribute("target") == "_blank"
    assert "noopener" in (source_links[0].get_attribute("rel") or "")


def test_conversation_is_still_there_after_a_reload(
    new_context: NewContext, site_url: str, shoot: Shoot
) -> None:
    page = new_context().new_page()
    page.goto(site_url)
    # A suggested question on the page opens the chat and asks it.
    page.get_by_role("button", name=SUGGESTED).click()
    expect(visitor_messages(page).filter(has_text=SUGGESTED)).to_be_visible()
    wait_for_answer(page)
    conversation = session_id(page)
    before = bot_messages(page).all_inner_texts()

    page.reload()
    open_chat(page)
    shoot(page, "after-reload")

    expect(visitor_messages(page).filter(has_text=SUGGESTED)).to_be_visible()
    expect(bot_messages(page)).to_have_count(len(before))
    assert bot_messages(page).all_inner_texts() == before
    assert session_id(page) == conversation


def test_referent_words_are_styled_as_the_teams_and_never_run_as_html(
    new_context: NewContext, site_url: str, stack: Stack, shoot: Shoot
) -> None:
    page = new_context().new_page()
    open_page(page, site_url)
    conversation = session_id(page)
    status = page.locator(".lot-referent-status")
    expect(status).to_have_count(0)

    seen = bot_messages(page).count()
    trigger_intent(stack, conversation, "EXTERNAL_handoff_claimed", referent_team=TEAM)
    wait_for_bot(page, seen)
    expect(status).to_have_text(TEAM_LIVE)

    seen = bot_messages(page).count()
    words = {"referent_message": HOSTILE, "referent_team": TEAM}
    trigger_intent(stack, conversation, "EXTERNAL_referent_message", **words)
    wait_for_bot(page, seen)
    referent = page.locator(".chat-bubble--bot.lot-referent").last
    expect(referent).to_contain_text(f"{TEAM} :")
    expect(referent).to_contain_text('<img src=x onerror="window.__xss = 1">')
    expect(referent).to_contain_text("<b>gras</b>")
    expect(referent.locator("img, b")).to_have_count(0)
    link = referent.locator("a", has_text="ouvrir")
    if link.count():
        assert link.get_attribute("href") is None
        link.click()
    shoot(page, "referent-live")
    assert page.evaluate("window.__xss") is None

    page.reload()
    open_chat(page)
    expect(status).to_have_text(TEAM_LIVE)
    expect(page.locator(".chat-bubble--bot.lot-referent")).to_have_count(1)

    seen = bot_messages(page).count()
    trigger_intent(stack, conversation, "EXTERNAL_handoff_closed", referent_team=TEAM)
    wait_for_bot(page, seen)
    expect(status).to_have_count(0)
    expect(page.locator(".chat-bubble--bot.lot-referent")).to_have_count(1)
    shoot(page, "referent-closed")


def test_page_fits_a_small_phone_and_the_open_chat_fills_a_phone_screen(
    new_context: NewContext, site_url: str, shoot: Shoot
) -> None:
    small = new_context(viewport={"width": 360, "height": 740}).new_page()
    small.goto(site_url)
    assert small.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(small, "360px")

    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    open_page(page, site_url)
    say(page, SCHOOLS_QUESTION)
    box = page.locator(".chat-panel").bounding_box()
    assert box is not None
    assert box["width"] >= PHONE["width"] - 2
    mobile = shoot(page, "phone")

    desktop_page = new_context(viewport=DESKTOP).new_page()
    open_page(desktop_page, site_url)
    say(desktop_page, SCHOOLS_QUESTION)
    desktop = shoot(desktop_page, "desktop")

    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(desktop, DOCS_SCREENSHOTS / "chat-desktop.png")
        shutil.copyfile(mobile, DOCS_SCREENSHOTS / "chat-phone.png")
