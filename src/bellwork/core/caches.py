"""What a process keeps in memory by database id registers its `clear` here, so a process whose
database starts again (the tests wipe theirs, and ids come again) forgets all of it at once
with `forget_all()` — a new cache needs no change anywhere else."""

from __future__ import annotations

from collections.abc import Callable

_CLEARS: list[Callable[[], None]] = []


def kept_by_id(clear: Callable[[], None]) -> Callable[[], None]:
    """Registers `clear` (returned unchanged, so it can decorate a function)."""
    _CLEARS.append(clear)
    return clear


def forget_all() -> None:
    for clear in _CLEARS:
        clear()
