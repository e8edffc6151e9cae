"""FastAPI application factory: wires the areas' routers and the start-up work."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.core.config import get_settings
from api.core.logging import configure_logging
from api.health import router as health_router


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_json)
    app = FastAPI(title="Assistant Oh my Lot !", version="0.1.0", lifespan=lifespan)
    app.include_router(health_router)
    return app


app = create_app()
