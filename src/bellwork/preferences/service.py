"""Reading and changing one's preferences. A person who never changed anything has no row and
gets `DEFAULTS`; the first change writes one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.core.errors import Invalid
from bellwork.preferences.live import PreferencesUpdated
from bellwork.preferences.models import DEFAULT_DND_END, DEFAULT_DND_START, Preferences
from bellwork.preferences.schemas import PreferencesOut, PreferencesPatch
from bellwork.realtime.outbox import publish
from bellwork.realtime.protocol import person_topic

DEFAULTS = PreferencesOut(
    notifications=True,
    sound=True,
    dnd=False,
    dnd_start=DEFAULT_DND_START,
    dnd_end=DEFAULT_DND_END,
    push_ding=True,
    push_notice=True,
    push_mention=True,
    push_direct=True,
)
FIELDS = tuple(PreferencesOut.model_fields)


def _out(row: Preferences) -> PreferencesOut:
    return PreferencesOut(**{f: getattr(row, f) for f in FIELDS})


async def _row(db: AsyncSession, person_id: int) -> Preferences | None:
    found = await db.execute(select(Preferences).where(Preferences.person_id == person_id))
    return found.scalar()


async def get_preferences(db: AsyncSession, person_id: int) -> PreferencesOut:
    row = await _row(db, person_id)
    return DEFAULTS if row is None else _out(row)


async def update_preferences(
    db: AsyncSession, person_id: int, data: PreferencesPatch
) -> PreferencesOut:
    """Changes the fields given; the person's other tabs and devices hear of it after the
    commit. A do-not-disturb window must not be empty (start = end): 422 `dnd_window_empty`."""
    row = await _row(db, person_id)
    now = _out(row) if row is not None else DEFAULTS
    wanted = now.model_copy(update={f: getattr(data, f) for f in data.model_fields_set})
    if wanted.dnd_start == wanted.dnd_end:
        field = "dnd_end" if "dnd_end" in data.model_fields_set else "dnd_start"
        raise Invalid("dnd_window_empty", errors=[{"field": field}])
    if wanted == now:
        return now
    if row is None:
        row = Preferences(person_id=person_id)
        db.add(row)
    for f in FIELDS:
        setattr(row, f, getattr(wanted, f))
    await db.flush()
    publish(db, PreferencesUpdated(preferences=wanted), [person_topic(person_id)])
    return wanted
