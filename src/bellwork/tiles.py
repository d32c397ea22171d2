"""The workbench of this installation: every domain's tiles, in the order they appear.

A new capability (notices, forms, approvals, lessons ...) declares its `Tile` in its own package
and adds it here; the web client needs its icon and the label `workbench.tile.<key>` in both
languages (tests/test_workbench.py checks the labels exist). See CONTRIBUTING.md ("Workbench").
"""

from __future__ import annotations

from bellwork.approvals.tiles import TILES as APPROVALS
from bellwork.attendance.tiles import TILES as ATTENDANCE
from bellwork.audit.tiles import TILES as AUDIT
from bellwork.auth.tiles import TILES as AUTH
from bellwork.delivery.tiles import TILES as DELIVERY
from bellwork.ding.tiles import TILES as DING
from bellwork.forms.tiles import TILES as FORMS
from bellwork.jobs.tiles import TILES as JOBS
from bellwork.lessons.tiles import TILES as LESSONS
from bellwork.meetings.tiles import TILES as MEETINGS
from bellwork.notices.tiles import TILES as NOTICES
from bellwork.org.tiles import TILES as ORG
from bellwork.reports.tiles import TILES as REPORTS
from bellwork.workbench.registry import Workbench

WORKBENCH = Workbench(
    [
        *NOTICES,
        *FORMS,
        *REPORTS,
        *APPROVALS,
        *ATTENDANCE,
        *LESSONS,
        *DING,
        *MEETINGS,
        *ORG,
        *AUTH,
        *AUDIT,
        *JOBS,
        *DELIVERY,
    ]
)
