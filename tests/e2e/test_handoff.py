"""A visitor asks for a person through the REST channel; a referent answers through the API."""

import re
import subprocess
import time
from typing import Any

import httpx
import pytest

from scripts.stack import APP_BIN, ROOT, Stack
from tests.e2e.conftest import Say, all_text, button_titles
from tests.stacks import conversation_cases

pytestmark = pytest.mark.e2e

REFERENT_EMAIL = "referent-api-grand-figeac@example.org"
REPLY = "Bonjour Camille, je vous propose un appel demain à 10 h pour parler de Figeac."
VISITOR_WORDS = "Parfait, demain 10 h me convient."


def cli(stack: Stack, *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [str(APP_BIN / "python"), "-m", "api.cli", *args],
        input=stdin,
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def referent_token(stack: Stack) -> str:
    """A Grand-Figeac referent and an API token, made the operator's way (the CLI)."""
    cli(
        stack,
        *("create-user", "--email", REFERENT_EMAIL, "--name", "Référent API de test"),
        *("--role", "referent", "--team", "grand-figeac", "--generate-password"),
    )
    out = cli(stack, "create-token", "--email", REFERENT_EMAIL, "--name", "tests e2e")
    return out.strip().splitlines()[-1].strip()


def cases_of(stack: Stack, conversation_id: str) -> list[tuple[str, str]]:
    """Reference and team of each case the conversation opened."""
    cases = conversation_cases(stack.env["DATABASE_URL"], conversation_id)
    return [(case.reference, case.team_id) for case in cases]


def bot_texts(stack: Stack, conversation_id: str) -> list[str]:
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": stack.env["RASA_TOKEN"]},
        timeout=30,
    )
    response.raise_for_status()
    events: list[dict[str, Any]] = response.json()["events"]
    return [str(e.get("text") or "") for e in events if e.get("event") == "bot"]


def wait_for_bot_text(stack: Stack, conversation_id: str, fragment: str, within_s: float) -> bool:
    # What the API pushed lands in Rasa, another process that signals nothing to this test:
    # the conversation is read again until the words are in it.
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if any(fragment in said for said in bot_texts(stack, conversation_id)):
            return True
        time.sleep(0.2)
    return False


def test_visitor_interested_in_figeac_reaches_the_grand_figeac_team_who_answers_live(
    say: Say, visitor: str, stack: Stack
) -> None:
    say(visitor, "Bonjour")
    say(visitor, "Quels lycées y a-t-il à Figeac ?")
    consent = say(visitor, "Je voudrais parler à un référent, s'il vous plaît")
    assert "Êtes-vous d'accord" in all_text(consent)
    assert "Oui, je suis d'accord" in button_titles(consent)

    assert "prénom" in all_text(say(visitor, "/affirm"))
    assert "e-mail" in all_text(say(visitor, "Camille"))
    confirmation = all_text(say(visitor, "camille.e2e@example.org"))
    assert "Grand-Figeac" in confirmation

    cases = cases_of(stack, visitor)
    assert len(cases) == 1
    reference, team = cases[0]
    assert team == "grand-figeac"
    assert reference in confirmation

    api = httpx.Client(
        base_url=stack.api_url,
        headers={"Authorization": f"Bearer {referent_token(stack)}"},
        timeout=30,
    )
    api.post(f"/v1/cases/{reference}/claim").raise_for_status()
    assert wait_for_bot_text(stack, visitor, "a rejoint la conversation", within_s=5)

    api.post(f"/v1/cases/{reference}/reply", json={"text": REPLY}).raise_for_status()
    assert wait_for_bot_text(stack, visitor, REPLY, within_s=5)

    # While the referent is there, the visitor's words go to the case, not to the NLU.
    during = all_text(say(visitor, VISITOR_WORDS))
    assert "Source" not in during
    thread = api.get(f"/v1/cases/{reference}").json()["messages"]
    assert [m["text"] for m in thread if m["direction"] == "visitor"] == [VISITOR_WORDS]

    api.post(f"/v1/cases/{reference}/close").raise_for_status()
    assert wait_for_bot_text(stack, visitor, "Je reprends la main", within_s=5)
    after = all_text(say(visitor, "Et côté collèges, à Figeac ?"))
    assert "Source" in after
    assert len(cases_of(stack, visitor)) == 1


def test_job_question_lists_offers_within_the_radius_of_the_town(say: Say, visitor: str) -> None:
    answer = all_text(say(visitor, "je cherche un emploi d'infirmier à Figeac"))

    offers = re.findall(r"^- \*\*(Infirmier[^*]*)\*\* — (.*)$", answer, re.MULTILINE)
    assert offers, answer
    assert "à moins de 30 km autour de Figeac" in answer
    for _title, details in offers:
        distances = [int(km) for km in re.findall(r"\((\d+) km\)", details)]
        assert all(km <= 30 for km in distances), details
    assert "données d'exemple" in answer
