"""The France Travail connector against a local server answering like the real API."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.openings.connectors.france_travail import (
    FranceTravailClient,
    FranceTravailConfig,
    FranceTravailError,
    sync_france_travail,
)
from api.openings.imports import ImportReport
from api.openings.models import Opening
from api.territory.service import Territory
from tests.fakes.france_travail import FakeFranceTravail, ft_offer, running


@pytest.fixture
def france_travail() -> Iterator[FakeFranceTravail]:
    with running(FakeFranceTravail()) as fake:
        yield fake


def sync(
    fake: FakeFranceTravail,
    sessions: "sessionmaker[Session]",
    territory: Territory,
    **options: Any,
) -> ImportReport:
    config = FranceTravailConfig(
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        token_url=fake.token_url,
        api_url=fake.api_url,
        scopes="api_offresdemploiv2 o2dsoffre",
        max_attempts=4,
    )
    client = FranceTravailClient(config)
    try:
        return sync_france_travail(sessions, territory, client, **options)
    finally:
        client.close()


def stored(sessions: "sessionmaker[Session]", live_only: bool = True) -> dict[str, Opening]:
    now = datetime.now(UTC)
    with sessions() as session:
        return {
            opening.partner_ref: opening
            for opening in session.scalars(select(Opening))
            if not live_only or opening.expires_at is None or opening.expires_at > now
        }


def test_sync_pages_with_206_until_the_last_page_answers_200(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    france_travail.offers = [ft_offer(n) for n in range(320)]

    report = sync(france_travail, sessions, territory)

    assert report.created == 320
    assert [call["params"]["range"] for call in france_travail.calls] == [
        "0-149",
        "150-299",
        "300-449",
    ]
    assert france_travail.statuses() == [206, 206, 200]
    assert len(stored(sessions)) == 320


def test_an_offer_is_mapped_to_an_opening(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    france_travail.offers = [
        ft_offer(
            7,
            insee="46102",
            label="46 - FIGEAC",
            title="Technicien de maintenance (H/F)",
            dateCreation="2026-10-02T08:30:00.000Z",
            dateActualisation="2026-10-05T10:00:00.000Z",
            typeContrat="MIS",
            typeContratLibelle="Mission intérimaire - 6 Mois",
            romeCode="I1310",
            salaire={"libelle": "Horaire de 13.00 Euros"},
            entreprise={"nom": "Usine de test"},
        )
    ]

    sync(france_travail, sessions, territory)

    opening = stored(sessions)["FT000007"]
    assert (opening.kind, opening.title) == ("job", "Technicien de maintenance (H/F)")
    assert (opening.commune_insee, opening.commune_name) == ("46102", "Figeac")
    # Coordinates come from the commune, not from the offer.
    assert (opening.latitude, opening.longitude) == (44.6067, 2.02309)
    assert (opening.contract_type, opening.contract_label) == (
        "MIS",
        "Mission intérimaire - 6 Mois",
    )
    assert (opening.rome_code, opening.salary_text) == ("I1310", "Horaire de 13.00 Euros")
    assert opening.employer_or_seller == "Usine de test"
    assert opening.url == "https://offres.example.org/7"
    assert opening.created_at == datetime(2026, 10, 2, 8, 30, tzinfo=UTC)
    assert opening.updated_at == datetime(2026, 10, 5, 10, 0, tzinfo=UTC)


def test_no_offer_at_all_is_answered_204_and_expires_the_previous_ones(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    france_travail.offers = [ft_offer(1), ft_offer(2)]
    sync(france_travail, sessions, territory)
    france_travail.offers = []

    report = sync(france_travail, sessions, territory)

    assert france_travail.statuses()[-1] == 204
    assert (report.created, report.expired) == (0, 2)
    assert stored(sessions) == {}


def test_a_full_sync_expires_vanished_offers_and_a_partial_one_keeps_them(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    france_travail.offers = [ft_offer(n) for n in range(3)]
    sync(france_travail, sessions, territory)
    france_travail.offers = [ft_offer(0), ft_offer(1)]

    kept = sync(france_travail, sessions, territory, full=False)
    assert kept.expired == 0
    assert set(stored(sessions)) == {"FT000000", "FT000001", "FT000002"}

    expired = sync(france_travail, sessions, territory)
    assert (expired.unchanged, expired.expired) == (2, 1)
    assert set(stored(sessions)) == {"FT000000", "FT000001"}


def test_an_expired_token_is_renewed_once_and_the_sync_goes_on(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    france_travail.offers = [ft_offer(n) for n in range(200)]
    france_travail.expire_tokens_after_calls = 1

    report = sync(france_travail, sessions, territory)

    assert report.created == 200
    assert len(france_travail.tokens) == 2
    assert france_travail.statuses() == [206, 401, 200]


def test_a_token_refused_even_when_new_stops_the_sync_with_a_clear_message(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    france_travail.offers = [ft_offer(1)]
    france_travail.refuse_every_token = True

    with pytest.raises(FranceTravailError, match="401"):
        sync(france_travail, sessions, territory)
    assert len(france_travail.tokens) == 2
    assert stored(sessions) == {}


def test_wrong_credentials_are_reported_without_calling_the_search(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    france_travail.client_secret = "another-secret"
    config = FranceTravailConfig(
        client_id="test-client",
        client_secret="wrong",
        token_url=france_travail.token_url,
        api_url=france_travail.api_url,
        scopes="api_offresdemploiv2 o2dsoffre",
    )
    client = FranceTravailClient(config)

    with pytest.raises(FranceTravailError, match="FT_CLIENT_ID"):
        sync_france_travail(sessions, territory, client)
    assert france_travail.calls == []


def test_429_waits_for_retry_after_then_goes_on(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    france_travail.offers = [ft_offer(n) for n in range(5)]
    france_travail.rate_limited_calls = 1
    france_travail.retry_after = "1"

    started = time.monotonic()
    report = sync(france_travail, sessions, territory)

    assert time.monotonic() - started >= 1.0
    assert france_travail.statuses() == [429, 200]
    assert report.created == 5


def test_429_that_never_ends_gives_up_with_a_clear_message(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    france_travail.offers = [ft_offer(1)]
    france_travail.rate_limited_calls = 100
    france_travail.retry_after = "0"

    with pytest.raises(FranceTravailError, match="429"):
        sync(france_travail, sessions, territory)
    assert france_travail.statuses() == [429, 429, 429, 429]


def test_more_offers_than_one_search_reaches_are_read_by_creation_date(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=60)
    france_travail.offers = [
        ft_offer(n, created=start + timedelta(minutes=40 * n)) for n in range(1300)
    ]
    sync(france_travail, sessions, territory)
    del france_travail.offers[:10]

    report = sync(france_travail, sessions, territory)

    assert (report.unchanged, report.expired) == (1290, 10)
    assert len(stored(sessions)) == 1290
    ranges = [call["params"]["range"] for call in france_travail.calls]
    assert all(int(r.split("-")[0]) <= 1000 and int(r.split("-")[1]) <= 1149 for r in ranges)


def test_offers_out_of_reach_leave_the_older_ones_alone(
    france_travail: FakeFranceTravail, sessions: "sessionmaker[Session]", territory: Territory
) -> None:
    france_travail.offers = [ft_offer(n) for n in range(3)]
    sync(france_travail, sessions, territory)
    # Now more offers than the API lets one read, all created at the same second.
    same_time = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    france_travail.offers = [ft_offer(n, created=same_time) for n in range(10, 1170)]

    report = sync(france_travail, sessions, territory)

    assert report.created == 1150
    assert report.expired == 0
    assert any("1160 offres" in warning for warning in report.warnings)
    assert {"FT000000", "FT000001", "FT000002"} <= set(stored(sessions))
