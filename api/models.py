"""Imports every area's ORM models so that Alembic and the tests see the whole schema."""

import api.accounts.models
import api.feedback.models
import api.handoffs.models
import api.openings.models
import api.plans.models
import api.review.models
import api.unanswered.models  # noqa: F401
