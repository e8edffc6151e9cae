"""The contract between the bot and the API: contract/ agrees with the bot's domain, and
ApiClient reads the running API's answers into the types the actions use."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from conftest import run_in_new_loop

from bot.actions.api_client import (
    ApiClient,
    ApiRejected,
    Commune,
    EntryRef,
    KnowledgeHit,
    OpeningHit,
    PlanLink,
    Source,
)
from bot.actions.config import Settings
from contract.rasa import EXTERNAL_INTENT_PREFIX, EXTERNAL_INTENTS, is_external, trigger_intent
from contract.themes import THEME_INTENTS, THEME_LABELS, THEME_TITLES, THEMES


def _intents(domain: dict[str, Any]) -> set[str]:
    return {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}


def test_every_theme_intent_and_external_intent_is_in_the_domain(
    domain: dict[str, Any],
) -> None:
    missing = (set(THEME_INTENTS) | set(EXTERNAL_INTENTS)) - _intents(domain)
    assert missing == set()
    assert all(intent.startswith(EXTERNAL_INTENT_PREFIX) for intent in EXTERNAL_INTENTS)


def test_every_theme_has_a_button_label_and_a_page_title() -> None:
    assert set(THEME_LABELS) == set(THEME_TITLES) == set(THEMES)
    assert sorted(THEME_INTENTS.values()) == sorted(THEMES)


def test_a_conversation_id_is_quoted_in_the_trigger_intent_path() -> None:
    request = trigger_intent("a/b c", "EXTERNAL_handoff_closed", {"referent_team": "É"}, "t")

    assert request.path == "/conversations/a%2Fb%20c/trigger_intent"
    assert request.params == {"output_channel": "latest", "token": "t"}
    assert request.body == {"name": "EXTERNAL_handoff_closed", "entities": {"referent_team": "É"}}


def test_a_message_made_of_trigger_intent_is_told_from_a_visitor_message() -> None:
    assert is_external({"text": "EXTERNAL: EXTERNAL_handoff_closed"})
    assert is_external({"text": "…", "metadata": {"is_external": True}})
    assert is_external({"text": "…", "parse_data": {"metadata": {"is_external": True}}})
    assert not is_external({"text": "Bonjour", "metadata": {}})
    assert not is_external(None)


def test_the_theme_menus_of_the_domain_use_the_contracts_labels(
    domain: dict[str, Any],
) -> None:
    for name in ("utter_help", "utter_undecided_without_theme", "utter_rephrase_or_pick_theme"):
        buttons = domain["responses"][name][0]["buttons"]
        themes = [b for b in buttons if b["payload"].removeprefix("/") in THEME_INTENTS]

        assert [(b["title"], b["payload"]) for b in themes] == [
            (THEME_LABELS[theme], f"/ask_{theme}") for theme in THEMES
        ], name


# -- ApiClient against the running API ------------------------------------------------------
# The action tests answer from a stand-in (tests/fakes/api.py) returning ApiClient's types;
# these check that the real API's answers read into the same types and values.


def test_a_commune_of_the_lot_resolves_with_its_code_and_communaute(settings: Settings) -> None:
    resolution = run_in_new_loop(ApiClient().resolve_commune("figeac"))

    assert resolution.status == "found"
    assert resolution.commune is not None
    assert (resolution.commune.insee, resolution.commune.name) == ("46102", "Figeac")
    assert "Figeac" in resolution.commune.epci_name


def test_a_place_outside_the_lot_resolves_with_its_name_and_departement(
    settings: Settings,
) -> None:
    resolution = run_in_new_loop(ApiClient().resolve_commune("Brive"))

    assert (resolution.status, resolution.commune) == ("outside_lot", None)
    assert (resolution.outside_name, resolution.outside_area) == (
        "Brive-la-Gaillarde",
        "Corrèze",
    )


def test_an_unknown_place_resolves_to_no_commune(settings: Settings) -> None:
    resolution = run_in_new_loop(ApiClient().resolve_commune("Xyzzyville"))

    assert (resolution.status, resolution.commune) == ("unknown", None)
    assert all(isinstance(commune, Commune) for commune in resolution.alternatives)


def test_a_knowledge_search_reads_into_hits_with_sources_date_and_scope(
    settings: Settings,
) -> None:
    answer = run_in_new_loop(ApiClient().search_knowledge("Quels lycées", "schools", "46102"))

    assert answer.hits[0] == KnowledgeHit(
        id="test-lycees-figeac",
        theme="schools",
        title="Test : lycées de Figeac",
        answer="Réponse de test sur les lycées de Figeac.",
        sources=(Source("Source de test", "https://example.org/test"),),
        reviewed=date(2026, 11, 25),
        scope_match="commune",
    )
    assert answer.local_entries >= 1
    assert answer.close_call is None or isinstance(answer.close_call, EntryRef)


def test_an_entry_is_read_by_id_and_a_removed_one_is_none(settings: Settings) -> None:
    api = ApiClient()

    found = run_in_new_loop(api.knowledge_entry("test-loisirs-lot"))
    gone = run_in_new_loop(api.knowledge_entry("plus-de-fiche"))

    assert found is not None
    assert (found.id, found.theme, found.scope_match) == (
        "test-loisirs-lot",
        "leisure",
        "department",
    )
    assert gone is None


def test_a_territory_answer_reads_into_kind_fact_text_sources_and_commune(
    settings: Settings,
) -> None:
    reply = run_in_new_loop(ApiClient().territory_answer("code postal de Figeac ?", None))

    assert (reply.kind, reply.fact) == ("commune", "postal_code")
    assert "46100" in reply.text
    assert reply.sources
    assert reply.commune is not None
    assert reply.commune.insee == "46102"


def test_an_opening_reads_with_its_seller_place_and_price(
    settings: Settings, pushed_opening: dict[str, str]
) -> None:
    page = run_in_new_loop(
        ApiClient().search_openings(None, ("business_takeover",), None, None, 1, 3)
    )

    assert page.total == 1
    assert page.results[0] == OpeningHit(
        kind="business_takeover",
        title=pushed_opening["intitule"],
        employer_or_seller=None,
        commune_name=pushed_opening["commune"],
        distance_km=None,
        contract=pushed_opening["prix_indicatif"],
        url=None,
        sample_notice=None,
    )


def test_a_message_for_a_conversation_without_a_live_case_is_not_forwarded(
    settings: Settings,
) -> None:
    assert not run_in_new_loop(ApiClient().forward_visitor_message("nobody-here", "Bonjour"))


def test_an_unanswered_question_is_accepted_for_the_editors(settings: Settings) -> None:
    run_in_new_loop(ApiClient().record_unanswered("Y a-t-il un bus de nuit ?", "transport", None))


def test_a_rating_or_transcript_without_a_closed_case_is_refused_as_not_found(
    settings: Settings,
) -> None:
    # 404, not 422: the request is well formed, there is only no closed case to rate.
    api = ApiClient()
    for request in (
        api.rate_handoff("nobody-here", "OML-2026-ZZZZZZ", score=4),
        api.rate_handoff("nobody-here", "OML-2026-ZZZZZZ", comment="Merci"),
        api.email_transcript("nobody-here", "OML-2026-ZZZZZZ"),
    ):
        with pytest.raises(ApiRejected) as refused:
            run_in_new_loop(request)
        assert refused.value.status_code == 404


def test_a_plan_reads_into_a_link_and_a_new_one_stops_the_earlier(settings: Settings) -> None:
    api = ApiClient()

    async def two_plans_then_revoke() -> tuple[PlanLink, PlanLink, int, int]:
        first = await api.create_plan("contract-plan", {"area": {"communes": ["Figeac"]}})
        second = await api.create_plan(
            "contract-plan", {"household": {"children": [{"level": "lycee"}]}}
        )
        return (
            first,
            second,
            await api.revoke_plans("contract-plan"),
            await api.revoke_plans("contract-plan"),
        )

    first, second, revoked, again = run_in_new_loop(two_plans_then_revoke())

    assert first.token != second.token
    assert second.url.endswith(f"/projet/{second.token}")
    assert second.expires_at == datetime.now(timezone.utc).date() + timedelta(days=30)
    # The second plan had already stopped the first: one link was working.
    assert (revoked, again) == (1, 0)


def test_a_plan_of_a_place_outside_the_lot_is_refused(settings: Settings) -> None:
    plan = ApiClient().create_plan("contract-plan-brive", {"area": {"communes": ["Brive"]}})

    with pytest.raises(ApiRejected) as refused:
        run_in_new_loop(plan)

    assert refused.value.status_code == 422


def test_a_plan_erased_on_its_page_or_of_another_conversation_is_not_emailed(
    settings: Settings,
) -> None:
    api = ApiClient()
    link = run_in_new_loop(api.create_plan("contract-plan-mail", {}))

    elsewhere = run_in_new_loop(api.email_plan("someone-else", link.token, "a@example.org"))
    assert httpx.post(f"{link.url}/effacer", timeout=30).status_code == 200
    erased = run_in_new_loop(api.email_plan("contract-plan-mail", link.token, "a@example.org"))

    assert (elsewhere, erased) == (None, None)
