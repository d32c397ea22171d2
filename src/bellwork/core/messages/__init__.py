"""Every server-side message by key, in zh-CN and English (core/i18n.py looks them up), kept
by domain in this package's modules. A key belongs to one module only."""

from __future__ import annotations

from types import ModuleType

from bellwork.core.messages import chat, forms, media, people, platform, reach, work


def _merged(*parts: ModuleType) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for part in parts:
        found: dict[str, dict[str, str]] = part.MESSAGES
        twice = out.keys() & found.keys()
        if twice:
            raise RuntimeError(f"messages defined twice ({part.__name__}): {sorted(twice)}")
        out.update(found)
    return out


MESSAGES = _merged(people, platform, chat, reach, forms, work, media)
