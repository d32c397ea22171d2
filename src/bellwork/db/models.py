"""Imports every domain's models so metadata (and Alembic) sees all tables."""

from bellwork.approvals import models as approvals_models
from bellwork.attendance import models as attendance_models
from bellwork.audit import models as audit_models
from bellwork.auth import models as auth_models
from bellwork.calls import models as calls_models
from bellwork.chat import models as chat_models
from bellwork.db.base import Base
from bellwork.delivery import models as delivery_models
from bellwork.ding import models as ding_models
from bellwork.forms import models as forms_models
from bellwork.jobs import models as jobs_models
from bellwork.lessons import models as lessons_models
from bellwork.media import models as media_models
from bellwork.meetings import models as meetings_models
from bellwork.notices import models as notices_models
from bellwork.org import models as org_models
from bellwork.preferences import models as preferences_models
from bellwork.push import models as push_models
from bellwork.reports import models as reports_models

__all__ = [
    "Base",
    "approvals_models",
    "attendance_models",
    "audit_models",
    "auth_models",
    "calls_models",
    "chat_models",
    "delivery_models",
    "ding_models",
    "forms_models",
    "jobs_models",
    "lessons_models",
    "media_models",
    "meetings_models",
    "notices_models",
    "org_models",
    "preferences_models",
    "push_models",
    "reports_models",
]
