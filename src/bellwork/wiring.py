"""Domains that do not know each other, plugged together in one place (called when a runtime
opens, in the app and in a worker alike).

- Attendance counts a day as "on leave" when a leave source says so (attendance/leave.py);
  approvals' approved leave requests are that source (approvals/leave.py).
- An approved correction request (补卡, approvals/builtin.py) is recorded as a punch of its day
  (attendance/corrections.py, through approvals/outcomes.py).
"""

from __future__ import annotations


def wire() -> None:
    from bellwork.approvals.builtin import CORRECTION
    from bellwork.approvals.leave import leave_days
    from bellwork.approvals.outcomes import on_approved
    from bellwork.attendance.corrections import corrected
    from bellwork.attendance.leave import register_leave_source

    register_leave_source(leave_days)
    on_approved(CORRECTION, corrected)
