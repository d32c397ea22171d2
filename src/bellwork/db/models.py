"""Imports every domain's models so metadata (and Alembic) sees all tables."""

from bellwork.audit import models as audit_models
from bellwork.auth import models as auth_models
from bellwork.chat import models as chat_models
from bellwork.db.base import Base
from bellwork.delivery import models as delivery_models
from bellwork.ding import models as ding_models
from bellwork.jobs import models as jobs_models
from bellwork.org import models as org_models
from bellwork.preferences import models as preferences_models

__all__ = [
    "Base",
    "audit_models",
    "auth_models",
    "chat_models",
    "delivery_models",
    "ding_models",
    "jobs_models",
    "org_models",
    "preferences_models",
]
