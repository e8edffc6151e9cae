"""FastAPI application factory: wires the areas' routers and the start-up work."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from api.accounts.throttle import throttle_from_settings
from api.analytics.router import router as analytics_router
from api.compare.router import router as compare_router
from api.core.config import get_settings
from api.core.logging import configure_logging
from api.dashboard.router import router as dashboard_router
from api.editors.router import router as editors_router
from api.feedback.router import router as feedback_router
from api.handoffs.router import router as handoffs_router
from api.health import router as health_router
from api.knowledge.router import router as knowledge_router
from api.knowledge.runtime import knowledge_runtime
from api.openings.router import router as openings_router
from api.pages.auth import PageError
from api.pages.errors import page_error_handler, validation_error_handler
from api.pages.security import BACK_OFFICE_AREA, SecurityHeaders
from api.partners.router import router as partners_router
from api.plans.router import PLANS_AREA
from api.plans.router import router as plans_router
from api.privacy.router import router as privacy_router
from api.review.router import router as review_router
from api.site.router import SITE_AREA
from api.site.router import router as site_router
from api.territory.router import answers_router as territory_answers_router
from api.territory.router import router as territory_router
from api.unanswered.router import router as unanswered_router


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with knowledge_runtime(app):
        yield


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_json)
    app = FastAPI(title="Assistant Oh my Lot !", version="0.1.0", lifespan=lifespan)
    # Per application: counters in memory live as long as this process.
    app.state.login_throttle = throttle_from_settings(settings)
    app.include_router(health_router)
    app.include_router(openings_router)
    app.include_router(partners_router)
    app.include_router(territory_router)
    app.include_router(territory_answers_router)
    app.include_router(compare_router)
    app.include_router(knowledge_router)
    app.include_router(unanswered_router)
    app.include_router(feedback_router)
    app.include_router(editors_router)
    app.include_router(handoffs_router)
    app.include_router(privacy_router)
    app.include_router(plans_router)
    app.include_router(review_router)
    app.include_router(analytics_router)
    app.include_router(dashboard_router)
    app.include_router(site_router)
    app.add_middleware(SecurityHeaders, areas=(SITE_AREA, BACK_OFFICE_AREA, PLANS_AREA))
    app.add_exception_handler(PageError, page_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    return app


app = create_app()
