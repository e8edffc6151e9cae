"""GET /v1/openings: what the bot and the website get back for a visitor's search."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.openings.models import Kind, Opening

FIGEAC, CAPDENAC, CAHORS, GRAMAT = "46102", "46055", "46042", "46128"
MakeOpening = Callable[..., Opening]


def search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/openings", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def titles(body: dict[str, Any]) -> list[str]:
    return [result["title"] for result in body["results"]]


def test_feminine_word_finds_the_masculine_job_title(
    client: TestClient, make_opening: MakeOpening
) -> None:
    make_opening(title="Infirmier (H/F)")
    make_opening(title="Comptable (H/F)", description="Cabinet comptable.")

    body = search(client, q="infirmière")

    assert titles(body) == ["Infirmier (H/F)"]
    assert body["total"] == 1


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("serveuse", "Serveur en restauration (H/F)"),
        ("conductrices", "Conducteur poids lourd (H/F)"),
        ("soudeuse", "Soudeur (H/F)"),
        ("Électricienne", "Electricien bâtiment (H/F)"),
        ("aide soignante", "Aide-soignant de nuit (H/F)"),
    ],
)
def test_plural_feminine_or_unaccented_spellings_meet(
    client: TestClient, make_opening: MakeOpening, query: str, title: str
) -> None:
    make_opening(title=title, description="Poste à pourvoir rapidement.")
    make_opening(title="Comptable (H/F)", description="Cabinet comptable.")

    assert titles(search(client, q=query)) == [title]


# spaCy lemmatizes these tags differently inside a title than alone in a query:
# "Boulangère 6a5c4cfe à reprendre" gives "6a5c4cf", "11768b9a" alone gives "11768b9er".
CONTEXT_DEPENDENT_TAGS = ("6a5c4cfe", "11768b9a", "331e466e", "369107aa")


@pytest.mark.parametrize("tag", CONTEXT_DEPENDENT_TAGS)
def test_a_word_lemmatized_differently_in_context_is_still_found(
    client: TestClient, make_opening: MakeOpening, tag: str
) -> None:
    make_opening(title=f"Boulangère {tag} à reprendre", kind=Kind.BUSINESS_TAKEOVER)
    make_opening(title="Boulangerie à reprendre", kind=Kind.BUSINESS_TAKEOVER)

    assert titles(search(client, q=tag)) == [f"Boulangère {tag} à reprendre"]
    assert titles(search(client, q=f"boulanger {tag}")) == [f"Boulangère {tag} à reprendre"]


def test_every_word_of_the_query_must_match(client: TestClient, make_opening: MakeOpening) -> None:
    make_opening(title="Infirmier de bloc (H/F)")
    make_opening(title="Infirmier de nuit (H/F)")

    assert titles(search(client, q="infirmier nuit")) == ["Infirmier de nuit (H/F)"]


def test_openings_with_the_word_in_their_title_come_before_the_others(
    client: TestClient, make_opening: MakeOpening
) -> None:
    now = datetime.now(UTC)
    make_opening(title="Infirmier (H/F)", created=now - timedelta(days=5))
    make_opening(
        title="Aide-soignant (H/F)",
        description="Vous travaillez avec l'infirmier du service.",
        created=now - timedelta(days=1),
    )

    assert titles(search(client, q="infirmier")) == ["Infirmier (H/F)", "Aide-soignant (H/F)"]


def test_radius_keeps_openings_near_the_commune_with_their_distance(
    client: TestClient, make_opening: MakeOpening
) -> None:
    make_opening(title="Infirmier à Capdenac (H/F)", commune=CAPDENAC)
    make_opening(title="Infirmier à Figeac (H/F)", commune=FIGEAC)
    make_opening(title="Infirmier à Cahors (H/F)", commune=CAHORS)

    body = search(client, q="infirmier", commune="Figeac", radius_km=10)

    assert sorted(titles(body)) == ["Infirmier à Capdenac (H/F)", "Infirmier à Figeac (H/F)"]
    assert body["commune"]["insee"] == FIGEAC
    distances = {result["commune_name"]: result["distance_km"] for result in body["results"]}
    assert distances["Figeac"] == 0
    assert 3 < distances["Capdenac"] < 7


def test_a_wider_radius_reaches_further(client: TestClient, make_opening: MakeOpening) -> None:
    make_opening(commune=GRAMAT)

    assert search(client, commune=FIGEAC, radius_km=10)["total"] == 0
    assert search(client, commune=FIGEAC, radius_km=40)["total"] == 1


def test_commune_without_radius_means_that_commune_only(
    client: TestClient, make_opening: MakeOpening
) -> None:
    make_opening(commune=FIGEAC)
    make_opening(commune=CAPDENAC)

    body = search(client, commune="figeac")

    assert [result["commune_insee"] for result in body["results"]] == [FIGEAC]


def test_kind_filter_and_several_kinds(client: TestClient, make_opening: MakeOpening) -> None:
    make_opening(title="Infirmier (H/F)")
    make_opening(title="Boulangerie à reprendre", kind=Kind.BUSINESS_TAKEOVER)
    make_opening(title="Élevage ovin à transmettre", kind=Kind.FARM_TAKEOVER)

    farms = search(client, kind="farm_takeover")
    takeovers = client.get(
        "/v1/openings", params=[("kind", "business_takeover"), ("kind", "farm_takeover")]
    ).json()

    assert titles(farms) == ["Élevage ovin à transmettre"]
    assert sorted(titles(takeovers)) == ["Boulangerie à reprendre", "Élevage ovin à transmettre"]


def test_contract_filter_ignores_case(client: TestClient, make_opening: MakeOpening) -> None:
    make_opening(title="Serveur (H/F)", contract="SAI")
    make_opening(title="Comptable (H/F)", contract="CDI")

    assert titles(search(client, contract="cdi")) == ["Comptable (H/F)"]


def test_results_are_paginated_most_recent_first(
    client: TestClient, make_opening: MakeOpening
) -> None:
    now = datetime.now(UTC)
    for age in range(25):
        make_opening(title=f"Offre {age:02d}", created=now - timedelta(hours=age))

    first = search(client, per_page=10, page=1)
    third = search(client, per_page=10, page=3)

    assert first["total"] == third["total"] == 25
    assert titles(first) == [f"Offre {age:02d}" for age in range(10)]
    assert titles(third) == [f"Offre {age:02d}" for age in range(20, 25)]


def test_radius_results_are_paginated_too(client: TestClient, make_opening: MakeOpening) -> None:
    now = datetime.now(UTC)
    for age in range(7):
        make_opening(title=f"Offre {age}", commune=FIGEAC, created=now - timedelta(hours=age))
    make_opening(title="Loin", commune=CAHORS, created=now)

    second = search(client, commune=FIGEAC, radius_km=5, per_page=3, page=2)

    assert second["total"] == 7
    assert titles(second) == ["Offre 3", "Offre 4", "Offre 5"]


def test_expired_openings_are_hidden(client: TestClient, make_opening: MakeOpening) -> None:
    now = datetime.now(UTC)
    make_opening(title="Infirmier expiré (H/F)", expires=now - timedelta(minutes=1))
    make_opening(title="Infirmier encore ouvert (H/F)", expires=now + timedelta(days=3))

    assert titles(search(client, q="infirmier")) == ["Infirmier encore ouvert (H/F)"]


def test_sample_openings_are_marked_as_fictitious(
    client: TestClient, make_opening: MakeOpening
) -> None:
    make_opening(title="Infirmier (H/F) – Exemple fictif", partner="exemple", is_sample=True)
    make_opening(title="Infirmier (H/F)")

    results = {result["title"]: result for result in search(client, q="infirmier")["results"]}

    sample = results["Infirmier (H/F) – Exemple fictif"]
    assert sample["is_sample"] is True
    assert sample["sample_notice"] == "Exemple fictif"
    assert sample["source"] == {"id": "exemple", "name": "Données d'exemple (fictives)"}
    real = results["Infirmier (H/F)"]
    assert real["is_sample"] is False
    assert real["sample_notice"] is None


def test_a_place_outside_the_lot_is_refused_with_a_hint(client: TestClient) -> None:
    response = client.get("/v1/openings", params={"commune": "Brive-la-Gaillarde"})

    assert response.status_code == 422
    assert "/v1/communes/resolve" in response.json()["detail"]


def test_radius_without_commune_is_refused(client: TestClient) -> None:
    response = client.get("/v1/openings", params={"radius_km": 20})

    assert response.status_code == 422


def test_one_opening_by_id(client: TestClient, make_opening: MakeOpening) -> None:
    opening = make_opening(title="Comptable (H/F)", commune=CAHORS)

    found = client.get(f"/v1/openings/{opening.id}")
    missing = client.get(f"/v1/openings/{opening.id + 1000}")

    assert found.status_code == 200
    assert found.json()["title"] == "Comptable (H/F)"
    assert found.json()["commune_name"] == "Cahors"
    assert missing.status_code == 404


def test_an_updated_opening_is_found_by_its_new_words_only(
    client: TestClient, make_opening: MakeOpening
) -> None:
    make_opening("OFFRE-1", title="Boulanger (H/F)", description="Fournil artisanal.")
    make_opening("OFFRE-1", title="Pâtissier (H/F)", description="Laboratoire de pâtisserie.")

    assert titles(search(client, q="boulanger")) == []
    assert titles(search(client, q="pâtissier")) == ["Pâtissier (H/F)"]


def test_deleted_samples_leave_nothing_in_the_word_index(
    client: TestClient, make_opening: MakeOpening, sessions: Any
) -> None:
    from sqlalchemy import func, select

    from api.openings.models import OpeningTerm
    from api.openings.service import delete_samples

    sample = make_opening(title="Maraîcher (H/F)", is_sample=True)
    with sessions() as session, session.begin():
        delete_samples(session)
    with sessions() as session:
        left = session.scalar(select(func.count()).where(OpeningTerm.opening_id == sample.id))

    assert left == 0
    assert search(client, q="maraîcher")["total"] == 0
