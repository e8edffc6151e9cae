"""Headless Chromium (Debian's package, driven by Playwright) over the real stack.

The stack is tests/stacks.py's session fixture, shared with the e2e suite; a screenshot of
every test lands in reports/screenshots/.
"""

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

from scripts.stack import ROOT, Stack
from tests.conftest import TEST_TOKENS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDGET_BUNDLE = ROOT / "api" / "site" / "static" / "vendor" / "socket.io.min.js"
SCREENSHOTS = ROOT / "reports" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Rasa on two shared cores: a first answer may take a while.
BOT_TIMEOUT_MS = 45_000

NewContext = Callable[..., BrowserContext]
Shoot = Callable[[Page, str], Path]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = (
            f"Chromium is missing at {CHROMIUM}: install it with "
            "'apt-get install -y chromium' (.ci/run does it)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if not WIDGET_BUNDLE.exists():
        pytest.fail(f"The chat widget is missing at {WIDGET_BUNDLE}: run 'make web'.")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Opens browser contexts (separate cookies and storage, like separate people)."""
    contexts: list[BrowserContext] = []

    def _new(**options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "fr-FR")
        context = browser.new_context(**options)
        context.set_default_timeout(BOT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def site_url(stack: Stack) -> str:
    return f"{stack.api_url}/"


@pytest.fixture
def shoot(request: pytest.FixtureRequest) -> Shoot:
    def _shoot(page: Page, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path))
        return path

    return _shoot


# -- the widget, as a visitor uses it -------------------------------------------------------


def message_field(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Votre message")


def send_button(page: Page) -> Locator:
    return page.locator(".chat-form").get_by_role("button", name="Envoyer", exact=True)


def chat_panel(page: Page) -> Locator:
    return page.locator(".chat-panel")


def open_chat(page: Page) -> None:
    """Opens the chat with its launcher (by its French name) and waits until it can send."""
    if chat_panel(page).is_hidden():
        page.get_by_role("button", name="Ouvrir l'assistant").click()
    expect(message_field(page)).to_be_enabled()


def bot_messages(page: Page) -> Locator:
    return page.locator(".chat-messages .chat-bubble--bot")


def visitor_messages(page: Page) -> Locator:
    return page.locator(".chat-messages .chat-bubble--visitor")


def reply_buttons(page: Page) -> Locator:
    """The quick replies the assistant offers under its last message."""
    return page.locator(".chat-replies .chat-reply")


# An assistant's message with no visitor message after it: the answer to the visitor's last
# message (or the greeting) has begun. The messages are the children of the chat's log.
_ANSWER_BEGUN = ".chat-messages > .chat-message--bot:not(:has(~ .chat-message--visitor))"


def _shown_parts(text: str | None) -> int:
    """The bubbles one bot message of the tracker makes: Rasa's socket.io channel sends its
    text paragraph by paragraph (split on blank lines), and the widget skips empty parts."""
    return sum(1 for part in (text or "").strip().split("\n\n") if part.strip())


def _bubbles_of_rested_conversation(page: Page) -> int | None:
    """What the page must show once Rasa has handled every message of the conversation, read
    from Rasa's tracker store; None while Rasa is still handling one. Rasa stores a tracker
    once a message is handled, after sending its answer: a stored tracker that ends on
    `action_listen` holds every answer sent so far."""
    config = page.evaluate("() => JSON.parse(document.getElementById('chat-config').textContent)")
    response = httpx.get(
        f"{config['socketUrl']}/conversations/{session_id(page)}/tracker",
        params={"token": TEST_TOKENS["RASA_TOKEN"], "include_events": "ALL"},
        timeout=30,
    )
    response.raise_for_status()
    events = response.json()["events"]
    if not events or events[-1].get("name") != "action_listen":
        return None
    return sum(_shown_parts(e.get("text")) for e in events if e.get("event") == "bot")


def _wait_until_whole(page: Page, timeout_ms: int = BOT_TIMEOUT_MS) -> None:
    """Rasa sends an answer paragraph by paragraph, and the actions' messages one by one, with
    no end mark: the answer is whole once the page shows every message of Rasa's stored
    tracker and that tracker waits for the visitor. The page already shows part of the answer,
    so the tracker stored before it (which the page shows whole) does not match."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        expected = _bubbles_of_rested_conversation(page)
        if expected is not None and bot_messages(page).count() == expected:
            return
        assert time.monotonic() < deadline, (
            f"the answer is not whole after {timeout_ms} ms: the page shows "
            f"{bot_messages(page).count()} messages, Rasa's tracker {expected}"
        )
        page.wait_for_timeout(100)


def wait_for_answer(page: Page, timeout_ms: int = BOT_TIMEOUT_MS) -> None:
    """Waits for the assistant's whole answer to the visitor's last message (or greeting)."""
    page.locator(_ANSWER_BEGUN).first.wait_for(state="attached", timeout=timeout_ms)
    _wait_until_whole(page, timeout_ms)


def wait_for_bot(page: Page, seen: int) -> None:
    """Waits for bot messages beyond the `seen` first ones (pushed by the API, unasked)."""
    expect(bot_messages(page)).not_to_have_count(seen)
    _wait_until_whole(page)


def send_message(page: Page, text: str) -> None:
    """Types a message as a visitor and sends it, without waiting for any answer."""
    message_field(page).fill(text)
    send_button(page).click()


def say(page: Page, text: str) -> None:
    """Types a message as a visitor and waits for the assistant's whole answer."""
    send_message(page, text)
    expect(visitor_messages(page).filter(has_text=text).last).to_be_visible()
    wait_for_answer(page)


def click_reply(page: Page, title: str | re.Pattern[str]) -> None:
    """Clicks a quick reply; the widget then shows its title as the visitor's message."""
    reply_buttons(page).filter(has_text=title).last.click()
    expect(visitor_messages(page).filter(has_text=title).last).to_be_visible()
    wait_for_answer(page)


def session_id(page: Page) -> str:
    """The chat's conversation id, which is Rasa's sender id (session persistence)."""
    value = page.evaluate(
        "() => JSON.parse(window.localStorage.getItem('chat_session') || '{}').session_id"
    )
    assert value, "the widget has no session id in localStorage"
    return str(value)


def trigger_intent(running: Stack, conversation_id: str, intent: str, **entities: str) -> None:
    """What the API does for a referent: an external intent pushed into the visitor's chat."""
    response = httpx.post(
        f"{running.rasa_url}/conversations/{conversation_id}/trigger_intent",
        params={"output_channel": "latest", "token": running.env["RASA_TOKEN"]},
        json={"name": intent, "entities": entities},
        timeout=60,
    )
    response.raise_for_status()


def unique_email() -> str:
    return f"visiteur-{uuid.uuid4().hex[:8]}@example.org"


# -- accessibility ---------------------------------------------------------------------------

AXE_SCRIPT = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# RGAA 4.1 is the French application of WCAG 2.1 AA: axe-core's rules of those levels.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """async (options) => {
  const result = await window.axe.run(document, options);
  return result.violations.map((violation) => ({
    id: violation.id,
    help: violation.help,
    nodes: violation.nodes.map((node) => node.target.join(" ") + ": " + node.failureSummary),
  }));
}"""


def assert_accessible(page: Page, exempt: dict[str, str] | None = None) -> None:
    """Runs axe-core on the page as it is now and fails on any WCAG 2.1 A or AA violation.

    `exempt` maps the id of a rule that cannot apply to this page to the reason why; no rule
    is exempted anywhere else."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run 'make web'.")
    # Evaluated through the DevTools protocol: the page's CSP does not apply to it.
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    options = {
        "runOnly": {"type": "tag", "values": WCAG_21_AA},
        "rules": {rule: {"enabled": False} for rule in (exempt or {})},
    }
    violations = page.evaluate(_RUN_AXE, options)
    report = "\n".join(
        f"{v['id']} ({v['help']}):\n    " + "\n    ".join(v["nodes"]) for v in violations
    )
    assert not violations, f"WCAG 2.1 A/AA violations on {page.url}:\n{report}"
