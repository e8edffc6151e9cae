"""The migrations build the schema the models describe: a model changed without its
migration (or a migration without its model change) fails here, not on a production
upgrade. The check is Alembic's autogenerate comparison, which must find nothing to do."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import api.models  # noqa: F401  (registers every table on Base.metadata)
from api.core.db import Base, make_engine
from api.db_migrate import upgrade
from tests.conftest import postgres_url


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_the_migrated_sqlite_database_matches_the_models(database_url: str) -> None:
    assert _differences(database_url) == []


@pytest.mark.postgres
def test_the_migrated_postgresql_database_matches_the_models() -> None:
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_POSTGRES_URL is not set: no PostgreSQL server to test against")
    upgrade(url)
    assert _differences(url) == []
