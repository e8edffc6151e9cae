"""What the page hands to its bootstrap script (as JSON, so that no inline script is needed)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WidgetConfig(BaseModel):
    """Settings of the chat widget, read by static/js/chat.js (and the page, for its texts)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    socket_url: str
    socket_path: str = "/socket.io/"
    init_payload: str = "/greet"
    title: str = "Assistant Oh my Lot !"
    subtitle: str = "Vos questions sur la vie dans le Lot"
    input_placeholder: str = "Posez votre question…"
    connecting_text: str = "Connexion en cours…"
    # "local" keeps the conversation across reloads and browser restarts.
    storage: Literal["local", "session"] = "local"
    # A bot message starting with "<team name> :" is a referent's words (see docs/contracts.md).
    referent_teams: list[str]
