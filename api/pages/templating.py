"""The one Jinja environment of every page and e-mail of the API.

Templates are named after their area's folder: `site/index.html`, `dashboard/case.html`,
`notifications/new_case.txt`; `pages/base.html` is the back office's layout. Everything
but plain-text mails is autoescaped: visitors' words are untrusted input. Areas add the
filters of their own data (dashboard/templating.py, review/router.py) to `environment`.
"""

from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape

from api.core.config import get_settings
from contract.french import french_date, french_date_time, numeric_date_time

API_DIR = Path(__file__).resolve().parents[1]
AREAS = ("pages", "site", "dashboard", "editors", "review", "analytics", "plans", "notifications")


def date_fr(value: datetime | str | None) -> str:
    """Also takes the ISO strings of the transcript; an unreadable one is shown as is."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            return numeric_date_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    return numeric_date_time(value)


def iso(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _environment() -> Environment:
    env = Environment(
        loader=PrefixLoader(
            {area: FileSystemLoader(API_DIR / area / "templates") for area in AREAS}
        ),
        autoescape=select_autoescape(
            disabled_extensions=("txt",), default_for_string=True, default=True
        ),
        undefined=StrictUndefined,
        # A mail's text ends with its last line; a page does not mind.
        keep_trailing_newline=True,
    )
    env.filters.update(date_fr=date_fr, iso=iso, jour=french_date, paris=french_date_time)
    # Without SMTP the mails go to the API's log: referents must know nothing left by e-mail.
    env.globals["mail_is_sent"] = lambda: get_settings().smtp_host is not None
    return env


environment = _environment()
templates = Jinja2Templates(env=environment)
