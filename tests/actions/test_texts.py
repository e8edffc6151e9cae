"""What the visitor reads, and how the conversation is read: pure functions, no API."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import action, bot, parse_data, slot, user

from bot.actions import texts
from bot.actions.api_client import (
    EntryRef,
    KnowledgeHit,
    OpeningHit,
    OpeningPage,
    Resolution,
    Source,
)
from bot.actions.contact import clean_first_name, display_phone, parse_contact
from bot.actions.conversation import (
    consecutive_fallbacks,
    theme_guesses,
    transcript,
)
from bot.actions.fallback import guess_buttons
from bot.actions.knowledge import answer_reply, format_answer
from bot.actions.openings import openings_reply
from contract.french import french_date
from contract.places import asks_if_in_the_lot, widens_to_department, without_place


def hit(scope_match: str = "commune", sources: int = 1) -> KnowledgeHit:
    return KnowledgeHit(
        id="lycees-figeac",
        theme="schools",
        title="Les lycées de Figeac",
        answer="Figeac compte plusieurs lycées.",
        sources=tuple(Source(f"Annuaire {i}", f"https://example.org/{i}") for i in range(sources)),
        reviewed=date(2026, 11, 25),
        scope_match=scope_match,
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 25), "25 novembre 2026"),
        (date(2026, 12, 1), "1er décembre 2026"),
        (date(2027, 8, 3), "3 août 2027"),
    ],
)
def test_dates_are_written_the_french_way(day: date, expected: str) -> None:
    assert french_date(day) == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(365, "un an"), (730, "deux ans"), (180, "six mois"), (30, "un mois"), (45, "45 jours")],
)
def test_retention_period_is_said_as_a_person_would(days: int, expected: str) -> None:
    assert texts.french_duration(days) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Figeac", "à Figeac"),
        ("Le Vigan-en-Quercy", "au Vigan-en-Quercy"),
        ("Les Arques", "aux Arques"),
    ],
)
def test_commune_names_take_the_right_preposition(name: str, expected: str) -> None:
    assert texts.at_place(name) == expected


def test_button_payload_carries_entities_for_rasa() -> None:
    assert texts.payload("inform_commune", commune="Saint-Céré") == (
        '/inform_commune{"commune":"Saint-Céré"}'
    )
    assert texts.payload("help") == "/help"


def test_answer_shows_source_link_and_review_date() -> None:
    text = format_answer(hit(), "Figeac")

    assert text.startswith("Figeac compte plusieurs lycées.")
    assert "Source : [Annuaire 0](https://example.org/0)" in text
    assert text.endswith("Mis à jour le 25 novembre 2026")


def test_answer_lists_every_source() -> None:
    assert "Sources : [Annuaire 0](https://example.org/0) · [Annuaire 1]" in (
        format_answer(hit(sources=2), None)
    )


def test_answer_says_when_it_is_not_specific_to_the_commune() -> None:
    text = format_answer(hit(scope_match="department"), "Gramat")

    assert text.startswith(
        "Je n'ai pas d'information propre à Gramat sur ce sujet ; "
        "voici ce qui vaut pour l'ensemble du Lot."
    )


def test_answer_never_says_nothing_local_when_a_local_entry_exists() -> None:
    text = format_answer(hit(scope_match="department"), "Souillac", local_entries=1)

    assert "propre à Souillac" not in text
    assert text.startswith("Ce qui suit vaut à Souillac comme dans tout le Lot.")


def test_follow_up_buttons_keep_the_commune_in_their_titles() -> None:
    reply = answer_reply(hit(), "schools", "Figeac")

    titles = [b["title"] for b in reply.buttons]
    assert titles[:2] == ["Le logement à Figeac", "Les transports à Figeac"]
    assert {"title": "Parler à un référent", "payload": "/request_human"} in reply.buttons


def test_answer_without_a_place_offers_main_towns_and_undecided_after_it() -> None:
    reply = answer_reply(hit(scope_match="department"), "housing", None, offer_place=True)

    assert reply.text.startswith("Figeac compte plusieurs lycées.")
    assert "dites-moi où vous pensez vous installer" in reply.text
    assert [b["title"] for b in reply.buttons] == [
        *texts.MAIN_TOWNS[:4],
        "Pas encore décidé",
        "Parler à un référent",
    ]


def test_close_runner_up_is_offered_first() -> None:
    reply = answer_reply(
        hit(), "leisure", None, close_call=EntryRef("fromage-rocamadour", "Le Rocamadour")
    )

    assert reply.buttons[0] == {
        "title": "Vous cherchiez plutôt : Le Rocamadour ?",
        "payload": '/show_entry{"entry_id":"fromage-rocamadour"}',
    }


def test_outside_place_is_named_with_its_departement() -> None:
    resolution = Resolution("outside_lot", None, (), "Brive-la-Gaillarde", "Corrèze")

    reply = texts.outside_lot_reply("brive", resolution)

    assert reply.text.startswith("Brive-la-Gaillarde (Corrèze) n'est pas dans le Lot")
    assert reply.buttons[0]["payload"] == '/inform_commune{"commune":"Cahors"}'


def test_did_you_mean_lists_the_candidate_themes_and_something_else() -> None:
    assert [(b["title"], b["payload"]) for b in guess_buttons(["housing", "jobs"])] == [
        ("Logement", "/ask_housing"),
        ("Emploi", "/ask_jobs"),
        ("Autre chose", "/deny"),
    ]


def test_consent_text_says_what_with_whom_and_for_how_long() -> None:
    text = texts.consent_text(365)

    assert "notre conversation" in text
    assert "votre prénom, et l'e-mail ou le numéro de téléphone" in text
    assert "référents accueil du territoire choisi" in text
    assert "équipe départementale Oh my Lot !" in text
    assert "conservées un an au maximum" in text
    assert text.endswith("Êtes-vous d'accord ?")


def test_theme_guesses_keep_theme_intents_in_ranking_order() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 1.0},
        {"name": "ask_housing", "confidence": 0.31},
        {"name": "greet", "confidence": 0.2},
        {"name": "ask_jobs", "confidence": 0.25},
        {"name": "ask_health", "confidence": 0.06},
        {"name": "ask_leisure", "confidence": 0.05},
        {"name": "ask_living", "confidence": 0.01},
    ]

    assert theme_guesses(ranking) == ["housing", "jobs", "health"]


def test_place_is_cut_out_of_the_question_with_its_preposition() -> None:
    data = parse_data("ask_schools", "Quels lycées à Cahors ?", {"commune": "Cahors"})

    assert without_place("Quels lycées à Cahors ?", data) == "Quels lycées ?"


@pytest.mark.parametrize(
    ("text", "widens"),
    [
        ("et dans le reste du departement ?", True),
        ("et le département en entier ?", True),
        ("pour l'ensemble du Lot", True),
        ("partout dans le 46 ?", True),
        ("je cherche du travail dans le Lot", False),
        ("et pour tout le monde ?", False),
        ("un lot de meubles à vendre", False),
    ],
)
def test_a_question_widened_to_the_whole_department_is_told_from_one_about_it(
    text: str, widens: bool
) -> None:
    assert widens_to_department(text) is widens


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Carennac c'est bien dans le Lot ? l'annonce parlait de la Dordogne", True),
        ("martel c dans le lot ou pas", True),
        ("Gourdon est bien placé pour aller à Brive ?", False),
        ("on hésite entre Figeac et Cahors, où est-ce qu'on accouche dans le Lot ?", False),
        ("un lycée hôtelier dans le Lot ?", False),
    ],
)
def test_a_question_whether_a_place_is_in_the_lot_is_told_from_one_naming_the_lot(
    text: str, asks: bool
) -> None:
    assert asks_if_in_the_lot(text) is asks


def test_a_first_misunderstanding_counts_one() -> None:
    events = [user("ask_jobs", "du travail ?"), action("action_answer_theme"), user("nlu_fallback")]

    assert consecutive_fallbacks(events) == 1


def test_misunderstandings_in_a_row_are_counted_across_autre_chose() -> None:
    events = [
        user("nlu_fallback", "blabla"),
        action("action_fallback_ladder"),
        action("action_listen"),
        user("deny", "/deny"),
        action("utter_ask_rephrase"),
        action("action_listen"),
        user("nlu_fallback", "encore blabla"),
    ]

    assert consecutive_fallbacks(events) == 2


def test_a_message_the_fallback_answered_from_the_knowledge_is_no_misunderstanding() -> None:
    events = [
        user("nlu_fallback", "et il y a un internat ?"),
        action("action_fallback_ladder"),
        slot("last_theme", "schools"),
        action("action_listen"),
        user("nlu_fallback", "blabla"),
    ]

    assert consecutive_fallbacks(events) == 1


def test_transcript_shows_button_titles_and_skips_external_intents() -> None:
    buttons = [{"title": "Logement", "payload": "/ask_housing"}]
    events = [
        user("greet", "Bonjour"),
        bot("Bienvenue !", buttons),
        user("ask_housing", "/ask_housing"),
        bot("Réponse logement"),
        user("EXTERNAL_handoff_claimed", external=True),
    ]

    turns = transcript(events)

    assert [(t["role"], t["text"]) for t in turns] == [
        ("visitor", "Bonjour"),
        ("bot", "Bienvenue !"),
        ("visitor", "Logement"),
        ("bot", "Réponse logement"),
    ]
    assert turns[0]["at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("06 12 34 56 78", ("phone", "+33612345678")),
        ("mon numéro : 06.12.34.56.78", ("phone", "+33612345678")),
        ("+33 (0)5 65 00 00 00", ("phone", "+33565000000")),
        ("0033 6 12 34 56 78", ("phone", "+33612345678")),
        ("Camille.Martin@Example.ORG", ("email", "Camille.Martin@example.org")),
        ("écrivez-moi à camille@example.org merci", ("email", "camille@example.org")),
        ("12 34", None),
        ("demain", None),
        ("01 23", None),
    ],
)
def test_contact_is_recognised_and_normalised(typed: str, expected: tuple[str, str] | None) -> None:
    assert parse_contact(typed) == expected


def test_phone_is_shown_back_in_french_format() -> None:
    assert display_phone("+33612345678") == "06 12 34 56 78"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("marie", "Marie"),
        ("Je m'appelle jean-pierre", "Jean-Pierre"),
        ("Moi c'est Anaïs.", "Anaïs"),
        ("Zoé", "Zoé"),
        ("et les écoles ?", None),
        ("oui", None),
        ("06 12 34 56 78", None),
        ("", None),
    ],
)
def test_first_name_is_cleaned_or_refused(typed: str, expected: str | None) -> None:
    assert clean_first_name(typed) == expected


def test_a_single_opening_is_announced_as_the_only_one() -> None:
    offer = OpeningHit(
        kind="job",
        title="Boulanger (H/F)",
        employer_or_seller="Boulangerie",
        commune_name="Gramat",
        distance_km=0.2,
        contract="CDI",
        url="https://example.org/offre",
        sample_notice=None,
    )
    reply = openings_reply(
        "job",
        OpeningPage(total=1, results=(offer,)),
        query="boulanger",
        commune_name="Gramat",
        radius_km=30,
        shown_before=0,
        widened_from_km=None,
    )

    assert reply.text.splitlines() == [
        "Voici la seule offre d'emploi pour « boulanger » à moins de 30 km autour de Gramat :",
        "- **Boulanger (H/F)** — Boulangerie · Gramat · CDI — [voir l'annonce](https://example.org/offre)",
    ]
    assert "/more_openings" not in [button["payload"] for button in reply.buttons]
