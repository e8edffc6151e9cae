"""Imports, expiry and search of openings on PostgreSQL (skipped without TEST_POSTGRES_URL)."""

from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from api.core.db import make_engine
from api.db_migrate import upgrade
from api.openings.imports import import_file
from api.openings.models import Opening
from api.openings.service import SearchQuery, search_openings
from api.territory.service import Territory
from tests.conftest import postgres_url


@pytest.mark.postgres
def test_import_expiry_and_search_work_on_postgresql(tmp_path: Path, territory: Territory) -> None:
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_POSTGRES_URL is not set: no PostgreSQL server to test against")
    upgrade(url)
    engine = make_engine(url)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    # A fixed tag that spaCy lemmatizes differently inside a title ("6a5c4cf") than alone
    # ("6a5c4cfe"): the search must find it under both forms, on every run.
    tag = "6a5c4cfe"
    refs = [f"PG-{tag}-{n}" for n in range(3)]
    _remove(sessions, refs)  # left over by an interrupted run on this shared server
    rows = [
        f"{refs[0]};commerce;Boulangère {tag} à reprendre;Fournil;Figeac",
        f"{refs[1]};commerce;Boulangerie {tag} à reprendre;Fournil;Capdenac",
        f"{refs[2]};commerce;Boulangerie {tag} à reprendre;Fournil;Cahors",
    ]
    path = tmp_path / "a.csv"
    path.write_text(
        "reference;type;intitule;description;commune\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    try:
        first = import_file(sessions, territory, "cci-lot", path)
        again = import_file(sessions, territory, "cci-lot", path)
        path.write_text(
            "reference;type;intitule;description;commune\n" + "\n".join(rows[:2]) + "\n",
            encoding="utf-8",
        )
        import_file(sessions, territory, "cci-lot", path, full=True)
        with sessions() as session:
            near = search_openings(
                session, territory, SearchQuery(text=tag, commune="Figeac", radius_km=10)
            )
            everywhere = search_openings(session, territory, SearchQuery(text=tag))
            feminine = search_openings(session, territory, SearchQuery(text=f"boulanger {tag}"))

        assert (first.created, again.unchanged) == (3, 3)
        assert {hit.opening.partner_ref for hit in near.hits} == set(refs[:2])
        assert everywhere.total == 2
        assert [hit.opening.partner_ref for hit in feminine.hits] == [refs[0]]
    finally:
        _remove(sessions, refs)
        engine.dispose()


def _remove(sessions: "sessionmaker[Session]", refs: list[str]) -> None:
    with sessions() as session, session.begin():
        session.execute(delete(Opening).where(Opening.partner_ref.in_(refs)))
