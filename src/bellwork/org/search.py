"""Search keys of a person: what a user may type to find them.

张伟 → "张伟", "伟", "zhangwei", "wei", "zw", "w"; plus phone, student number, username and email.
Polyphonic characters contribute every reading (曾 → zeng and ceng), capped to keep rows few.
Lookups are prefix matches on an indexed column, so "zhang", "zw" and "138001" all hit the index.
"""

from __future__ import annotations

import itertools
import re

from pypinyin import Style, lazy_pinyin, pinyin

MAX_READINGS = 4
_HAN = re.compile(r"[\u3400-\u9fff]")


def normalise_query(q: str) -> str:
    q = q.strip().lower()
    q = re.sub(r"[\s\-']", "", q)
    if q.startswith("+86") and q[3:].isdigit():
        q = q[3:]
    return q


def _readings(name: str) -> list[tuple[list[str], list[str]]]:
    """Each reading of the name as (syllables, initials)."""
    syllables_per_char = pinyin(name, style=Style.NORMAL, heteronym=True, errors="default")
    choices: list[list[str]] = []
    for options in syllables_per_char:
        opts = [o.lower() for o in options if o.strip()]
        choices.append(opts[:2] or [""])
    out: list[tuple[list[str], list[str]]] = []
    for combo in itertools.islice(itertools.product(*choices), MAX_READINGS):
        sylls = [s for s in combo if s]
        out.append((sylls, [s[0] for s in sylls]))
    return out


def search_keys(
    name: str,
    phone: str | None = None,
    student_number: str | None = None,
    username: str | None = None,
    email: str | None = None,
) -> set[str]:
    keys: set[str] = set()
    clean = re.sub(r"\s+", "", name.lower())
    if clean:
        # The name and each of its tails, so a given name alone ("伟") finds 张伟.
        for i in range(len(clean)):
            keys.add(clean[i:])
    if _HAN.search(name):
        for sylls, initials in _readings(name):
            for i in range(len(sylls)):
                keys.add("".join(sylls[i:]))
                keys.add("".join(initials[i:]))
    else:
        # Latin names: every word starts a key ("Li Na" → "lina", "na").
        words = [w for w in re.split(r"\s+", name.lower()) if w]
        for i in range(len(words)):
            keys.add("".join(words[i:]))
        if len(words) > 1:
            keys.add("".join(w[0] for w in words))
    for extra in (phone, student_number, username, email):
        if extra:
            keys.add(extra.lower())
    return {k[:120] for k in keys if k}


def prefix_end(q: str) -> str:
    """The smallest string greater than every string starting with q."""
    return q + "\U0010ffff"


def sort_key(name: str) -> str:
    """Directory order: by pinyin, the way Chinese users expect (陈 before 张), then the name."""
    return ("".join(lazy_pinyin(name, errors="default")).lower() + " " + name)[:200]
