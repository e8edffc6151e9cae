"""The light profile and "Mon projet d'installation" in the chat: what the actions keep,
ask the API for and say, against the API's stand-in; what the real API makes of a plan (its
page, its end when the visitor forgets, the case that carries it), against the running API
(POST /v1/plans, /v1/plans/revoke, the page /projet/<token>, POST /v1/handoffs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from conftest import (
    CONSENT_AT,
    ApiServer,
    Outcome,
    action,
    bot,
    case_of,
    handoff_conversation,
    handoff_slots,
    make_tracker,
    run,
    user,
)

from bot.actions.api_client import Resolution
from bot.actions.config import Settings
from bot.actions.handoff import ActionSubmitHandoff, handoff_payload
from bot.actions.plan import (
    ActionDeclineProfile,
    ActionEmailPlan,
    ActionForgetProfile,
    ActionMakePlan,
    ActionNoteProfile,
    ActionRecordProfileConsent,
    ActionShowProfile,
)
from bot.actions.profile import PROFILE_SLOTS
from tests.fakes.api import FakeApi, entry

FAMILY = "Nous avons deux enfants, un au collège et une en maternelle"
FAMILY_ENTITIES = [("school_level", "collège"), ("school_level", "maternelle")]
JOBS = "je suis infirmière et mon mari est menuisier"


def message(intent: str, text: str, pairs: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    event = user(intent, text)
    event["parse_data"]["entities"] = [
        {
            "entity": name,
            "value": value,
            "start": text.find(value),
            "end": text.find(value) + len(value),
        }
        for name, value in pairs
    ]
    return event


def family_message() -> dict[str, Any]:
    return message("inform_profile", FAMILY, FAMILY_ENTITIES)


def jobs_message() -> dict[str, Any]:
    return message("inform_profile", JOBS, [("job", "infirmière"), ("job", "menuisier")])


def agreed(slots: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"profile_consent": True, **(slots or {})}


def kept(outcome: Outcome) -> dict[str, Any]:
    return {name: value for name, value in outcome.slots.items() if value is not None}


def test_a_description_before_any_agreement_asks_for_it_and_keeps_nothing(
    api: FakeApi,
) -> None:
    outcome = run(ActionNoteProfile(api), make_tracker([family_message()]))

    assert outcome.text.startswith("Voulez-vous que je retienne ce que vous me dites")
    assert "oubliez mes informations" in outcome.text
    assert outcome.payloads == ["/affirm", "/deny"]
    assert outcome.slots == {}


def test_a_question_inside_a_description_is_answered_before_the_consent_question(
    api: FakeApi,
) -> None:
    text = "on arrive en janvier avec deux enfants, un en CE1, comment on les inscrit"
    question = user(
        "inform_profile", text, ranking=[("inform_profile", 0.62), ("ask_schools", 0.33)]
    )
    inscription = entry("ecoles-inscription", "L'inscription se fait d'abord à la mairie.")
    api.answer(lambda search: search.theme == "schools" and "inscrit" in search.query, inscription)

    outcome = run(ActionNoteProfile(api), make_tracker([question]))

    assert outcome.text.index("inscription se fait") < outcome.text.index("Voulez-vous que")
    assert outcome.payloads[-2:] == ["/affirm", "/deny"]
    assert outcome.slots["last_theme"] == "schools"


def test_a_question_inside_a_description_is_answered_on_the_theme_its_details_point_to(
    api: FakeApi,
) -> None:
    text = "ils peuvent aider mon compagnon ? il est électricien"
    question = user("inform_profile", text, {"job": "électricien"}, ranking=[("inform_profile", 1)])
    conjoint = entry("emploi-conjoint", "L'emploi du conjoint est suivi.", theme="jobs")
    api.answer(lambda search: search.theme == "jobs", conjoint)

    outcome = run(ActionNoteProfile(api), make_tracker([question]))

    assert outcome.text.startswith("L'emploi du conjoint est suivi.")
    assert outcome.slots["last_theme"] == "jobs"


def test_a_need_stated_in_a_description_is_answered_like_a_question(api: FakeApi) -> None:
    text = "on arrive en juillet, on voudrait louer 2-3 mois avant d'acheter"
    need = user("inform_profile", text, {"housing_kind": "location"})
    temporary = entry("logement-temporaire", "Pour les premiers mois, louez.", theme="housing")
    api.answer(lambda search: search.theme == "housing" and not search.confident_only, temporary)

    outcome = run(ActionNoteProfile(api), make_tracker([need]))

    assert outcome.text.index("Pour les premiers mois") < outcome.text.index("Voulez-vous que")


def test_a_description_asking_nothing_and_pointing_to_no_theme_gets_no_answer(
    api: FakeApi,
) -> None:
    api.answer(lambda search: True, entry("ecoles-inscription", "Réponse à ne pas montrer."))
    text = "on arrive en janvier, nous sommes quatre"
    description = user(
        "inform_profile", text, ranking=[("inform_profile", 0.92), ("goodbye", 0.05)]
    )

    outcome = run(ActionNoteProfile(api), make_tracker([description]))

    assert "Réponse à ne pas montrer" not in outcome.text
    assert outcome.text.startswith("Voulez-vous que je retienne")


def test_a_description_the_nlu_also_reads_as_a_theme_gets_the_entry_clearly_about_it(
    api: FakeApi,
) -> None:
    aesh = entry("ecoles-handicap", "Réponse de test sur les AESH.", theme="schools")
    api.answer(lambda search: search.confident_only and search.theme == "schools", aesh)
    text = "notre fils est autiste et il a une AESH, on arrive dans le Lot à la rentrée"
    description = user(
        "inform_profile", text, ranking=[("inform_profile", 0.58), ("ask_schools", 0.38)]
    )

    outcome = run(ActionNoteProfile(api), make_tracker([description]))

    assert outcome.text.index("les AESH") < outcome.text.index("Voulez-vous que")


def test_a_detail_given_in_a_conversation_on_a_theme_is_answered_with_the_question_before(
    api: FakeApi,
) -> None:
    bus = entry("transport-scolaire", "Réponse de test sur le car scolaire.", theme="transport")
    api.answer(lambda search: search.confident_only and "car scolaire" in search.query, bus)
    question = user("ask_transport", "le car scolaire c'est payant ?")
    detail = user("inform_profile", "on habitera à 2,5 km du collège")
    events = [question, action("action_answer_theme"), action("action_listen"), detail]

    outcome = run(ActionNoteProfile(api), make_tracker(events, {"last_theme": "transport"}))

    assert outcome.text.index("car scolaire") < outcome.text.index("Voulez-vous que")


def test_a_wish_whose_details_point_to_a_theme_gets_the_entry_clearly_about_it(
    api: FakeApi,
) -> None:
    formations = entry(
        "sante-formations", "Réponse de test sur les formations de santé.", theme="jobs"
    )
    api.answer(lambda search: search.confident_only and search.theme == "jobs", formations)
    wish = user("inform_profile", "elle veut être infirmière", {"job": "infirmière"})
    events = [user("ask_retraining", "ma fille a 17 ans, elle peut se former où ?"), wish]

    outcome = run(ActionNoteProfile(api), make_tracker(events))

    assert outcome.text.index("formations de santé") < outcome.text.index("Voulez-vous que")
    assert outcome.slots["last_theme"] == "jobs"


def test_children_described_hear_about_schools_before_the_consent_question(
    api: FakeApi,
) -> None:
    # Nothing asked, no entry clearly about it: the best of the schools' entries all the same.
    enrolment = entry(
        "ecoles-test", "Réponse de test sur l'inscription à l'école.", theme="schools"
    )
    api.answer(lambda search: not search.confident_only and search.theme == "schools", enrolment)
    events = [user("inform_profile", "on a deux enfants de 5 et 9 ans")]

    outcome = run(ActionNoteProfile(api), make_tracker(events))

    assert outcome.text.index("inscription à l'école") < outcome.text.index("Voulez-vous que")


def test_details_no_entry_answers_leave_only_the_consent_question(
    api: FakeApi,
) -> None:
    wish = user("inform_profile", "elle veut être infirmière", {"job": "infirmière"})

    outcome = run(ActionNoteProfile(api), make_tracker([wish]))

    assert outcome.text.startswith("Voulez-vous que je retienne")


def test_yes_keeps_the_description_the_question_answered(api: FakeApi) -> None:
    events = [family_message(), action("action_note_profile"), user("affirm", "/affirm")]

    outcome = run(ActionRecordProfileConsent(api), make_tracker(events))

    assert outcome.slots["profile_consent"] is True
    assert outcome.slots["profile_children"] == ["college", "maternelle"]
    assert "deux enfants (collège, maternelle)" in outcome.text
    assert "/request_plan" in outcome.payloads


def test_no_is_respected_then_and_later(api: FakeApi) -> None:
    events = [family_message(), action("action_note_profile"), user("deny", "/deny")]
    declined = run(ActionDeclineProfile(), make_tracker(events))
    later = run(ActionNoteProfile(api), make_tracker([jobs_message()], declined.slots))
    shown = run(ActionShowProfile(), make_tracker([user("show_profile")], declined.slots))

    assert declined.slots == {"profile_consent": False}
    assert declined.text.startswith("C'est entendu : je ne retiens rien")
    assert later.slots == {}
    assert later.text.startswith("Comme vous me l'avez demandé, je ne retiens pas")
    assert shown.text.startswith("Vous m'avez demandé de ne rien retenir")


def test_each_adult_gets_their_own_trade_and_is_shown_back(api: FakeApi) -> None:
    noted = run(ActionNoteProfile(api), make_tracker([jobs_message()], agreed()))
    shown = run(ActionShowProfile(), make_tracker([user("show_profile")], agreed(noted.slots)))

    assert kept(noted) == {
        "profile_household": "couple",
        "profile_trade": "infirmière",
        "profile_partner_trade": "menuisier",
    }
    assert shown.text.startswith("Voici ce que j'ai retenu de votre projet :")
    assert "**Votre métier ou secteur** : infirmière" in shown.text
    assert "**Métier ou secteur de votre conjoint·e** : menuisier" in shown.text
    assert "/forget_profile" in shown.payloads


def test_a_correction_changes_the_childs_level(api: FakeApi) -> None:
    slots = agreed({"profile_children": ["college", "maternelle"]})
    text = "en fait la petite est en CM2"
    correction = message("inform_profile", text, [("school_level", "primaire")])
    correction["parse_data"]["entities"][0].update(start=text.find("CM2"), end=len(text))

    outcome = run(ActionNoteProfile(api), make_tracker([correction], slots))

    assert outcome.slots["profile_children"] == ["college", "elementaire"]
    assert "deux enfants (collège, école élémentaire)" in outcome.text


def test_a_place_outside_the_lot_is_said_and_not_kept(api: FakeApi) -> None:
    api.add_commune("46309", "Souillac")
    api.outside["brive"] = Resolution("outside_lot", None, (), "Brive-la-Gaillarde", "Corrèze")
    text = "on vise Brive ou Souillac et on veut louer"
    place = message("inform_profile", text, [("commune", "Brive"), ("commune", "Souillac")])

    outcome = run(ActionNoteProfile(api), make_tracker([place], agreed()))

    assert "Je n'ai pas retenu « Brive »" in outcome.text
    assert outcome.slots["profile_area"] == ["Souillac"]
    assert outcome.slots["profile_tenure"] == "rent"


def test_a_plan_request_before_agreement_asks_then_makes_the_plan(api: FakeApi) -> None:
    request = user("request_plan", "mon projet d'installation")
    asked = run(ActionMakePlan(api), make_tracker([request]))
    plans_after_question = dict(api.plans)
    events = [request, action("action_make_plan"), user("affirm", "/affirm")]
    made = run(
        ActionRecordProfileConsent(api),
        make_tracker(events, {"commune": "46102", "commune_name": "Figeac"}, "visitor-plan-1"),
    )

    assert asked.text.startswith("Voulez-vous que je retienne")
    assert asked.slots == {}
    assert plans_after_question == {}
    assert made.slots["profile_consent"] is True
    (token, plan), *others = api.plans.items()
    assert others == []
    # The conversation's commune stands for the area the visitor did not describe.
    assert (plan.conversation_id, plan.profile["area"]) == (
        "visitor-plan-1",
        {"communes": ["Figeac"]},
    )
    assert made.slots["plan_token"] == token
    assert made.text.startswith("Votre projet d'installation est prêt")
    assert f"]({made.slots['plan_url']})" in made.text
    assert "/email_plan" in made.payloads


def test_a_plan_the_api_refuses_is_said_without_a_link(api: FakeApi) -> None:
    api.refusing = True
    slots = agreed({"profile_children": ["lycee"]})

    outcome = run(ActionMakePlan(api), make_tracker([user("request_plan", "un récap")], slots))

    assert outcome.text.startswith("Je n'ai pas pu préparer votre projet avec ces informations")
    assert outcome.slots == {}


def test_the_plan_holds_the_family_and_forgetting_stops_the_link(settings: Settings) -> None:
    slots = agreed(
        {
            "profile_children": ["college", "maternelle"],
            "profile_trade": "infirmière",
            "profile_partner_trade": "menuisier",
            "commune_name": "Figeac",
            "commune": "46102",
            "job": "infirmière",
        }
    )
    sender = "visitor-plan-2"
    made = run(ActionMakePlan(), make_tracker([user("request_plan", "un récap")], slots, sender))
    link = made.slots["plan_url"]
    page = httpx.get(link, timeout=30)

    forgotten = run(
        ActionForgetProfile(),
        make_tracker([user("forget_profile")], {**slots, **made.slots}, sender),
    )

    assert page.status_code == 200
    assert "Le collège" in page.text
    assert "menuisier" in page.text
    assert "Le lien de votre projet d'installation ne fonctionne plus" in forgotten.text
    assert httpx.get(link, timeout=30).status_code == 410
    cleared = forgotten.slots
    assert set(PROFILE_SLOTS) | {"profile_consent", "plan_token", "commune_name", "job"} <= set(
        cleared
    )
    assert all(value is None for value in cleared.values())


def test_an_empty_profile_gets_a_hint_not_a_plan(api: FakeApi) -> None:
    outcome = run(ActionMakePlan(api), make_tracker([user("request_plan", "un récap")], agreed()))

    assert outcome.text.startswith("Pour vous préparer « Mon projet d'installation »")
    assert outcome.slots == {}
    assert api.plans == {}


def test_the_link_goes_by_e_mail_to_the_address_typed_after_the_question(api: FakeApi) -> None:
    sender = "visitor-plan-mail"
    slots = agreed({"profile_trade": "infirmière"})
    made = run(ActionMakePlan(api), make_tracker([user("request_plan", "un récap")], slots, sender))
    slots = {**slots, **made.slots}

    asked = run(
        ActionEmailPlan(api), make_tracker([user("email_plan", "/email_plan")], slots, sender)
    )
    typed = [
        user("email_plan", "/email_plan"),
        action("action_email_plan"),
        bot(asked.text),
        user("give_contact", "camille.b@example.org"),
    ]
    sent = run(ActionEmailPlan(api), make_tracker(typed, slots, sender))
    wrong = run(
        ActionEmailPlan(api), make_tracker([user("give_contact", "camille")], slots, sender)
    )

    assert asked.text.startswith("À quelle adresse e-mail")
    assert sent.text.startswith("C'est envoyé à camille.b@example.org")
    assert api.plan_emails == [(sender, made.slots["plan_token"], "camille.b@example.org")]
    # The address is kept in no slot.
    assert sent.slots == {}
    assert wrong.text.startswith("Je n'ai pas reconnu d'adresse e-mail")


def test_a_link_that_no_longer_works_is_not_sent(api: FakeApi) -> None:
    sender = "visitor-plan-erased"
    slots = agreed({"profile_children": ["lycee"]})
    made = run(ActionMakePlan(api), make_tracker([user("request_plan", "un récap")], slots, sender))
    # Erased on its page, or expired: the API no longer knows the link.
    api.plans[made.slots["plan_token"]].working = False
    text = "envoyez-le à camille@example.org"

    outcome = run(
        ActionEmailPlan(api),
        make_tracker([user("email_plan", text)], {**slots, **made.slots}, sender),
    )

    assert outcome.text.startswith("Ce lien ne fonctionne plus")
    assert api.plan_emails == []
    assert outcome.slots == {"plan_token": None, "plan_url": None, "plan_expires": None}


def test_forgetting_while_the_api_is_down_clears_the_slots_and_says_the_link_works(
    api: FakeApi,
) -> None:
    api.down = True
    slots = agreed({"profile_children": ["lycee"], "plan_token": "x" * 43})

    outcome = run(ActionForgetProfile(api), make_tracker([user("forget_profile")], slots))

    assert "je n'arrive pas à désactiver le lien" in outcome.text
    assert outcome.slots["profile_children"] is None
    assert outcome.slots["plan_token"] is None
    assert "/forget_profile" in outcome.payloads


def test_the_referent_reads_the_profile_the_visitor_let_the_assistant_keep() -> None:
    slots = handoff_slots(
        profile_consent=True, profile_children=["college"], profile_partner_trade="menuisier"
    )
    without = handoff_slots(profile_children=["college"])

    payload = handoff_payload("visitor-1", slots, handoff_conversation(), 365)

    assert payload["profile"]["children"] == ["collège"]
    assert payload["profile"]["partner_trade"] == "menuisier"
    assert payload["consent"]["given_at"] == CONSENT_AT
    assert "projet d'installation" in payload["consent"]["text"]
    unconsented = handoff_payload("visitor-1", without, handoff_conversation(), 365)
    assert "children" not in unconsented["profile"]


def test_a_request_for_a_referent_carries_the_conversations_plan(
    settings: Settings, api_server: ApiServer
) -> None:
    sender = "visitor-plan-handoff"
    # A trade no other test gives: the case's plan is this conversation's.
    slots = handoff_slots(
        profile_consent=True, profile_children=["college"], profile_trade="souffleuse de verre"
    )
    made = run(ActionMakePlan(), make_tracker([user("request_plan", "un récap")], slots, sender))

    submitted = run(ActionSubmitHandoff(), make_tracker(handoff_conversation(), slots, sender))

    assert made.slots["plan_token"]
    plan = case_of(api_server, submitted.slots["handoff_reference"])["plan"]
    assert plan is not None
    assert plan["status"] == "active"
    assert any("souffleuse de verre" in line["value"] for line in plan["lines"]), plan
