"""What a right-of-access export contains."""

from datetime import datetime

from api.handoffs.schemas import CaseDetail


class CaseExport(CaseDetail):
    exported_at: datetime
