"""Contactless attendance and the health pass (考勤 / 健康码, issue 14; docs/attendance.md).

Rooms: `models.py`; `days.py` (what a day was under a rule, the geofence: pure);
`leave.py` (where "on approved leave" plugs in); `rules.py` (a unit's rule, the rule that
applies to a person); `punching.py` (check-in/out from the phone page); `health.py` (a
person's colour from their latest health check-in, forms' submissions); `passes.py` (the
signed, short-lived code and the gate's scan); `month.py` (monthly statistics, exceptions,
export); `tiles.py`; `demo.py`; `api.py`."""
