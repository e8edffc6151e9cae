"""FastAPI wiring of the live side: the Rasa relay, the mailer, the settings and territory."""

from typing import Annotated

from fastapi import Depends

from api.deps import SettingsDep
from api.handoffs.live import LiveContext
from api.handoffs.relay import relay_from_settings
from api.notifications.mailer import mailer_from_settings
from api.territory.service import get_territory


def live_context(settings: SettingsDep) -> LiveContext:
    return LiveContext(
        relay=relay_from_settings(settings),
        mailer=mailer_from_settings(settings),
        settings=settings,
        territory=get_territory(),
    )


LiveDep = Annotated[LiveContext, Depends(live_context)]
