"""Openings in the chat: the partners' offers near the visitor's town, page by page.

Against the API's stand-in (tests/fakes/api.py): which openings match is the API's
business (tests/api/test_openings*.py); here, what the actions ask and what is shown.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import answered, make_tracker, rendered, run, run_in_new_loop, user
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.knowledge import ActionAnswerTheme
from bot.actions.openings_form import ActionSearchOpenings, ValidateOpeningsForm
from tests.fakes.api import FakeApi, entry, opening

FIGEAC = "46102"
SAMPLE = "Données d'exemple fictives."


@pytest.fixture
def offers(api: FakeApi) -> FakeApi:
    """Seven nurses' offers around Figeac (one 45 km away), a baker's, two businesses and
    a farm to take over, all sample records; and an entry on finding a job in the Lot,
    clearly about any question on finding a job."""
    api.openings = [
        *(
            opening(
                f"Infirmier de test {n} (H/F)",
                employer_or_seller="Employeur de test",
                commune_name="Figeac",
                distance_km=float(n * 3),
                contract="CDI",
                url=f"https://example.org/offre/{n}",
                sample_notice=SAMPLE,
            )
            for n in range(1, 7)
        ),
        opening("Infirmier de nuit (H/F)", commune_name="Gourdon", distance_km=45.0),
        opening("Boulanger (H/F)", commune_name="Gramat", distance_km=25.0),
        opening("Boulangerie à reprendre", kind="business_takeover", contract="150 000 €"),
        opening(
            "Boulangerie-pâtisserie à céder", kind="business_takeover", commune_name="Souillac"
        ),
        opening("Ferme caprine à reprendre", kind="farm_takeover", contract="320 000 €"),
    ]
    api.answer(
        lambda search: search.confident_only and "trouver un emploi" in search.query,
        entry("test-emploi-lot", "Réponse de test sur l'emploi dans le Lot.", theme="jobs"),
    )
    api.answer(
        lambda search: not search.confident_only and search.theme == "jobs",
        entry("test-emploi-lot", "Réponse de test sur l'emploi dans le Lot.", theme="jobs"),
    )
    return api


LISTED = re.compile(r"^- \*\*(?P<title>[^*]+)\*\* — (?P<details>.*)$", re.MULTILINE)


def listed(text: str) -> list[tuple[str, str]]:
    return [(m["title"], m["details"]) for m in LISTED.finditer(text)]


def test_trade_question_lists_sample_offers_near_the_town(offers: FakeApi) -> None:
    text = "je cherche un emploi d'infirmier à Figeac"
    outcome = run(
        ActionAnswerTheme(offers),
        make_tracker([user("ask_jobs", text, {"job": "infirmier", "commune": "Figeac"})]),
    )

    offers = listed(outcome.text)
    assert len(offers) == 3
    assert all(title.startswith("Infirmier") for title, _ in offers)
    assert "à moins de 30 km autour de Figeac" in outcome.text
    distances = [int(km) for _, details in offers for km in re.findall(r"\((\d+) km\)", details)]
    assert all(km <= 30 for km in distances)
    assert "données d'exemple (fictives)" in outcome.text
    assert "/more_openings" in outcome.payloads
    assert "/request_human" in outcome.payloads
    assert outcome.slots["commune"] == FIGEAC
    assert json.loads(outcome.slots["openings_search"])["query"] == "infirmier"


def test_more_shows_the_next_page_of_the_same_search(offers: FakeApi) -> None:
    search = {
        "kind": "job",
        "query": "infirmier",
        "commune": FIGEAC,
        "commune_name": "Figeac",
        "radius_km": 60.0,
        "page": 1,
    }
    outcome = run(
        ActionSearchOpenings(offers),
        make_tracker([user("more_openings", "voir plus")], {"openings_search": json.dumps(search)}),
    )

    assert "(4 à 6 sur" in outcome.text
    assert all(title.startswith("Infirmier") for title, _ in listed(outcome.text))
    assert json.loads(outcome.slots["openings_search"])["page"] == 2


def test_nothing_anywhere_says_so_and_offers_a_referent(offers: FakeApi) -> None:
    outcome = run(
        ActionSearchOpenings(offers),
        make_tracker(
            [user("give_contact", "scaphandrier")],
            {"opening_query": "scaphandrier", "commune": FIGEAC, "commune_name": "Figeac"},
        ),
    )

    assert outcome.text.startswith("Je n'ai trouvé aucune offre d'emploi pour « scaphandrier »")
    assert "à moins de 60 km" in outcome.text  # widened once before giving up
    assert [search.radius_km for search in offers.openings_searches] == [30.0, 60.0]
    assert "/request_human" in outcome.payloads
    assert outcome.slots["opening_query"] is None


def test_takeovers_list_businesses_and_farms_with_their_price(offers: FakeApi) -> None:
    outcome = run(
        ActionSearchOpenings(offers),
        make_tracker(
            [user("give_contact", "peu importe")],
            {"opening_kind": "takeover", "opening_query": "*"},
        ),
    )

    assert "activités à reprendre dans tout le Lot" in outcome.text
    assert len(listed(outcome.text)) == 3
    assert "à reprendre" in outcome.text.lower()


@pytest.fixture
def listings(offers: FakeApi) -> FakeApi:
    """The offers, and an entry on where to find housing listings."""
    offers.answer(
        lambda search: search.theme == "housing",
        entry("test-annonces", "Réponse de test sur les annonces de logement.", theme="housing"),
    )
    return offers


def test_listings_asked_in_a_conversation_about_renting_are_housing_listings(
    listings: FakeApi, domain: dict[str, Any]
) -> None:
    events = [
        *answered(user("ask_housing", "on voudrait louer six mois vers Gourdon")),
        user("search_openings", "on trouve les annonces où ?"),
    ]
    tracker = make_tracker(events, {"last_theme": "housing"})

    required = run_in_new_loop(
        ValidateOpeningsForm().required_slots(
            ["opening_query"], CollectingDispatcher(), tracker, domain
        )  # type: ignore[arg-type]
    )
    outcome = run(ActionSearchOpenings(listings), tracker)

    assert required == []  # no "quel métier ?"
    assert outcome.text.startswith("Réponse de test sur les annonces de logement.")
    assert not listings.openings_searches


@pytest.mark.parametrize(
    ("intent", "text", "entities"),
    [
        ("search_openings", "montrez-moi les offres d'emploi", {}),
        ("search_openings", "les annonces", {"opening_kind": "job"}),
    ],
)
def test_offers_asked_in_so_many_words_after_housing_are_still_the_partners(
    offers: FakeApi, domain: dict[str, Any], intent: str, text: str, entities: dict[str, str]
) -> None:
    tracker = make_tracker([user(intent, text, entities)], {"last_theme": "housing"})

    required = run_in_new_loop(
        ValidateOpeningsForm().required_slots(
            ["opening_query"], CollectingDispatcher(), tracker, domain
        )  # type: ignore[arg-type]
    )

    assert required == ["opening_query"]


def test_a_question_on_another_theme_given_as_the_trade_is_answered(listings: FakeApi) -> None:
    text = "et un logement pas cher pour un alternant à Cahors ?"
    tracker = make_tracker(
        [user("ask_housing", text)], {"last_theme": "retraining", "opening_query": text}
    )

    outcome = run(ActionSearchOpenings(listings), tracker)

    assert outcome.text.startswith("Réponse de test sur les annonces de logement.")
    assert not listings.openings_searches
    assert outcome.slots["opening_query"] is None


def test_any_trade_answer_means_no_keywords(domain: dict[str, Any]) -> None:
    form = ValidateOpeningsForm()
    tracker = make_tracker([user("give_contact", "Peu importe !")])
    assert form.validate_opening_query("Peu importe !", None, tracker, domain) == {  # type: ignore[arg-type]
        "opening_query": "*"
    }
    assert form.validate_opening_query("  boulanger ", None, tracker, domain) == {  # type: ignore[arg-type]
        "opening_query": "boulanger"
    }


def test_more_without_a_search_offers_to_start_one(offers: FakeApi) -> None:
    outcome = run(ActionSearchOpenings(offers), make_tracker([user("more_openings", "voir plus")]))

    assert outcome.text.startswith("Je n'ai pas encore de recherche en cours.")
    assert '/search_openings{"opening_kind":"job"}' in outcome.payloads
    assert outcome.events == []


def test_a_trade_named_with_a_takeover_question_lists_the_businesses_to_take_over(
    offers: FakeApi,
) -> None:
    text = "mon mari est boulanger, il y a des boulangeries à reprendre ?"
    outcome = run(
        ActionAnswerTheme(offers),
        make_tracker([user("ask_business", text, {"job": "boulangerie"})]),
    )

    offers = listed(outcome.text)
    assert offers
    assert all("boulangerie" in title.lower() for title, _ in offers)
    assert outcome.slots["opening_kind"] == "takeover"


def test_an_entry_clearly_about_a_trade_question_comes_before_the_offers(
    offers: FakeApi,
) -> None:
    text = "je suis infirmier, comment trouver un emploi dans le Lot ?"
    outcome = run(
        ActionAnswerTheme(offers),
        make_tracker([user("ask_jobs", text, {"job": "infirmier"})]),
    )

    assert outcome.texts[0].startswith("Réponse de test sur l'emploi dans le Lot.")
    offers = listed(outcome.texts[-1])
    assert offers
    assert all(title.startswith("Infirmier") for title, _ in offers)
    # The buttons under the offers are those the widget shows: the last message's.
    last_buttons = [b["payload"] for b in outcome.messages[-1].get("buttons") or []]
    assert "/more_openings" in last_buttons
    assert outcome.slots["opening_kind"] == "job"


def test_a_trade_question_after_another_topic_is_not_read_as_a_follow_up_of_it(
    offers: FakeApi,
) -> None:
    events = [
        *answered(user("ask_schools", "Quels lycées à Figeac ?", {"commune": "Figeac"})),
        user("ask_jobs", "infirmier, comment trouver un emploi ?", {"job": "infirmier"}),
    ]

    outcome = run(
        ActionAnswerTheme(offers),
        make_tracker(
            events, {"last_theme": "schools", "commune": FIGEAC, "commune_name": "Figeac"}
        ),
    )

    assert "Réponse de test sur l'emploi dans le Lot." in outcome.texts[0]
    assert "lycées" not in outcome.text
    assert listed(outcome.texts[-1])


def test_a_trade_question_no_entry_is_clearly_about_gets_the_offers_alone(
    offers: FakeApi,
) -> None:
    outcome = run(
        ActionAnswerTheme(offers),
        make_tracker([user("ask_jobs", "infirmier", {"job": "infirmier"})]),
    )

    assert len(outcome.texts) == 1
    assert listed(outcome.text)


def test_a_trade_question_on_its_prospects_gets_the_likely_entry_then_the_offers(
    offers: FakeApi,
) -> None:
    prospects = entry(
        "test-metiers", "Réponse de test sur les métiers qui recrutent.", theme="jobs"
    )
    elsewhere = entry("test-formation", "Réponse de test sur une formation.", theme="retraining")
    offers.answer(lambda search: search.likely_only, elsewhere, prospects)
    text = "je suis infirmier, je trouverai du boulot facilement ?"
    outcome = run(
        ActionAnswerTheme(offers),
        make_tracker([user("ask_jobs", text, {"job": "infirmier"})]),
    )

    assert outcome.texts[0].startswith("Réponse de test sur les métiers qui recrutent.")
    assert listed(outcome.texts[-1])


def test_a_trade_with_no_offer_gets_the_knowledge_answer_instead_of_nothing(
    offers: FakeApi,
) -> None:
    text = "je cherche un poste de scaphandrier, comment trouver un emploi dans le Lot ?"
    outcome = run(
        ActionAnswerTheme(offers),
        make_tracker([user("ask_jobs", text, {"job": "scaphandrier"})]),
    )

    assert not outcome.text.startswith("Je n'ai trouvé aucune")
    assert outcome.text.startswith("Réponse de test sur l'emploi dans le Lot.")
    assert '/search_openings{"opening_kind":"job"}' in outcome.payloads


@pytest.mark.parametrize(
    ("kind", "start"),
    [
        ("takeover", "Quel type d'activité aimeriez-vous reprendre ?"),
        ("job", "Quel métier ou quel secteur vous intéresse ?"),
        (None, "Quel métier ou quel secteur vous intéresse ?"),
    ],
)
def test_the_trade_question_fits_the_kind_of_openings_sought(kind: str | None, start: str) -> None:
    asked = rendered({"response": "utter_ask_opening_query"}, {"opening_kind": kind})

    assert str(asked["text"]).startswith(start)
