"""Apply the Alembic migrations programmatically (used by the CLI, the launcher and tests)."""

from alembic import command
from alembic.config import Config

from api.core.config import ROOT_DIR


def upgrade(database_url: str) -> None:
    config = Config(str(ROOT_DIR / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "heads")
