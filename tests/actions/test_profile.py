"""Reading what a visitor says of their project into the light profile (pure functions)."""

from __future__ import annotations

from typing import Any

from bot.actions.profile import Adult, Profile, apply, level_of, plan_body, read_message


def said(text: str, **entities: str | list[str]) -> dict[str, Any]:
    """Parse data of `text` whose entities are found where their words are."""
    found = []
    for name, values in entities.items():
        for value in [values] if isinstance(values, str) else values:
            start = text.find(value)
            found.append(
                {"entity": name, "value": value, "start": start, "end": start + len(value)}
            )
    return {"text": text, "entities": found}


def told(profile: Profile, text: str, places: tuple[str, ...] = (), **entities: Any) -> Profile:
    return apply(profile, read_message(text, said(text, **entities)), list(places))


def test_two_children_are_kept_with_their_levels_in_order() -> None:
    text = "Nous avons deux enfants, un au collège et une en maternelle"
    profile = told(Profile(), text, school_level=["collège", "maternelle"])

    assert profile.children == ("college", "maternelle")


def test_a_trade_after_the_partners_words_is_the_partners() -> None:
    profile = told(
        Profile(), "je suis infirmière et mon mari est menuisier", job=["infirmière", "menuisier"]
    )

    assert profile.you == Adult(trade="infirmière")
    assert profile.partner == Adult(trade="menuisier")
    assert profile.household == "couple"


def test_sectors_are_given_to_each_adult_as_the_sentence_goes() -> None:
    text = "mon conjoint travaille dans le BTP, moi je cherche dans la santé"
    profile = told(Profile(), text, sector=["BTP", "santé"])

    assert profile.partner.sector == "BTP"
    assert profile.you.sector == "santé"


def test_a_correction_replaces_the_child_spoken_of_last() -> None:
    family = Profile(children=("college", "maternelle"))

    corrected = told(family, "en fait la petite est en CM2", school_level="CM2")

    assert corrected.children == ("college", "elementaire")


def test_a_correction_naming_the_old_level_replaces_that_child() -> None:
    family = Profile(children=("maternelle", "college"))

    corrected = told(family, "non, pas en maternelle mais en CP")

    assert corrected.children == ("elementaire", "college")


def test_one_more_level_is_added_and_a_repeated_one_is_not() -> None:
    family = Profile(children=("college",))

    assert told(family, "on a aussi un bébé pour la crèche").children == ("college", "creche")
    assert told(family, "oui, il est au collège").children == ("college",)


def test_twins_in_one_class_are_two_children() -> None:
    profile = told(Profile(), "je viens seule avec mes jumeaux en petite section")

    assert profile.children == ("maternelle", "maternelle")
    assert profile.household == "alone"


def test_housing_and_timeline_are_read_in_the_visitors_words() -> None:
    profile = told(Profile(), "on voudrait louer une maison, on arrive en septembre")

    assert (profile.tenure, profile.housing) == ("rent", "house")
    assert profile.timeline == "en septembre"
    changed = told(profile, "finalement on préfère acheter un appartement d'ici un an")
    assert (changed.tenure, changed.housing, changed.timeline) == ("buy", "flat", "d'ici un an")


def test_a_message_without_project_words_changes_nothing() -> None:
    family = Profile(children=("lycee",), timeline="en juin")

    assert told(family, "merci beaucoup, c'est très clair") == family


def test_levels_are_named_as_the_plan_api_names_them() -> None:
    assert [level_of(word) for word in ("crèche", "CM2", "sixième", "Lycée", "BTS", "vélo")] == [
        "creche",
        "elementaire",
        "college",
        "lycee",
        "superieur",
        None,
    ]


def test_the_plan_holds_what_was_given_and_the_conversations_commune() -> None:
    profile = Profile(
        children=("college", "maternelle"),
        you=Adult(trade="infirmière"),
        partner=Adult(sector="BTP"),
        tenure="rent",
    )

    body = plan_body(profile, "Figeac")

    assert body == {
        "household": {
            "adults": [
                {"trade": "infirmière", "sector": None, "looking_for": ["job"]},
                {"trade": None, "sector": "BTP", "looking_for": ["job"]},
            ],
            "children": [{"level": "college"}, {"level": "maternelle"}],
        },
        "housing": {"tenure": "rent", "kind": None},
        "area": {"communes": ["Figeac"]},
        "timeline": None,
    }
    assert plan_body(Profile(area=("Gramat",)), "Figeac")["area"] == {"communes": ["Gramat"]}


def test_the_profile_goes_to_slots_and_back() -> None:
    profile = Profile(
        household="couple",
        children=("lycee",),
        you=Adult("infirmière", "santé"),
        partner=Adult("menuisier"),
        tenure="buy",
        housing="house",
        area=("Figeac", "Capdenac"),
        timeline="au printemps",
    )

    assert Profile.from_slots(profile.slots()) == profile
    assert Profile.from_slots(Profile().slots()).is_empty()
