"""`GET/PATCH /api/v1/me/preferences`: one's own settings, kept on the server so they follow
one from device to device."""

from __future__ import annotations

from bellwork.core.deps import DB, CurrentActor
from bellwork.core.routing import Router
from bellwork.preferences import service
from bellwork.preferences.schemas import PreferencesOut, PreferencesPatch

router = Router(prefix="/api/v1/me", tags=["preferences"])


@router.get("/preferences", response_model=PreferencesOut)
async def get_preferences(db: DB, actor: CurrentActor) -> PreferencesOut:
    """One's notification settings (the defaults until one changes something)."""
    return await service.get_preferences(db, actor.id)


@router.patch("/preferences", response_model=PreferencesOut)
async def update_preferences(data: PreferencesPatch, db: DB, actor: CurrentActor) -> PreferencesOut:
    """Change some of them (the fields left out stay as they are). The do-not-disturb window
    runs from `dnd_start` to `dnd_end` in the device's local time, past midnight when it ends
    earlier than it starts; it must not be empty. Mentions of oneself alert even in a muted
    conversation, but nothing alerts inside the window (docs/chat.md, "Notifications")."""
    return await service.update_preferences(db, actor.id, data)
