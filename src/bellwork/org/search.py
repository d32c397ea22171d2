"""Search keys of a person: what a user may type to find them, and how well each key matches.

张伟 → "张伟", "伟", "zhangwei", "wei", "zw", "w"; plus phone, student number, username and email.
Lookups are prefix matches on an indexed column, so "zhang", "zw" and "138001" all hit the index.

Each key has a rank (stored beside it; lower is listed first, `org.directory`):
- COMMON (0): the name itself and its tails, and its **common reading** — the reading pypinyin
  gives the whole name (its phrase dictionary, so 长孙 is zhangsun), with the surname read as a
  surname (`SURNAMES`: 曾 zeng, 单 shan, 解 xie, 查 zha … where pypinyin's everyday reading is
  another).
- IDENTIFIER (1): phone, student number, username, email (the @-picker leaves these out: a
  group member may not learn another's phone by typing digits).
- RARE (2): other readings of polyphonic characters (董 also reads zhong; 曾 also ceng), up to
  two readings a character and MAX_READINGS readings a name. They still find the person, after
  those whose common reading matches: "zs" lists 张三 before 董三 (read zhong san).
A key that two of these give takes the lower rank.
"""

from __future__ import annotations

import itertools
import re

COMMON, IDENTIFIER, RARE = 0, 1, 2
MAX_READINGS = 4
_HAN = re.compile(r"[\u3400-\u9fff]")

# Surnames whose reading as a surname is not the one pypinyin gives the character first, and
# compound surnames (checked first: 长孙 is not 长 chang + 孙).
SURNAMES: dict[str, tuple[str, ...]] = {
    "长孙": ("zhang", "sun"),
    "单于": ("chan", "yu"),
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "澹台": ("tan", "tai"),
    "曾": ("zeng",),
    "单": ("shan",),
    "仇": ("qiu",),
    "区": ("ou",),
    "盖": ("ge",),
    "乐": ("yue",),
    "朴": ("piao",),
    "覃": ("qin",),
    "解": ("xie",),
    "查": ("zha",),
    "召": ("shao",),
    "种": ("chong",),
    "秘": ("bi",),
    "缪": ("miao",),
    "翟": ("zhai",),
    "句": ("gou",),
    "员": ("yun",),
    "繁": ("po",),
    "折": ("she",),
    "隗": ("wei",),
    "能": ("nai",),
    "薄": ("bo",),
    "都": ("du",),
    "祭": ("zhai",),
    "阚": ("kan",),
    "长": ("chang",),
    "藏": ("zang",),
}
_SURNAMES_LONGEST_FIRST = sorted(SURNAMES, key=len, reverse=True)


def normalise_query(q: str) -> str:
    q = q.strip().lower()
    q = re.sub(r"[\s\-']", "", q)
    if q.startswith("+86") and q[3:].isdigit():
        q = q[3:]
    return q


def _with_surname(name: str, usual: list[str]) -> list[str]:
    for surname in _SURNAMES_LONGEST_FIRST:
        if name.startswith(surname):
            usual[: len(surname)] = SURNAMES[surname]
            break
    return usual


def _heteronyms(name: str) -> list[list[str]]:
    """Every reading of each character (a run of other letters is one item), the one pypinyin
    gives first — its phrase dictionary's within a phrase — first."""
    from pypinyin import Style, pinyin  # here: its dictionaries take 0.35 s to load

    every = pinyin(name, style=Style.NORMAL, heteronym=True, errors="default")
    return [[o.lower() for o in options] or [""] for options in every]


def common_reading(name: str) -> list[str]:
    """The name's usual reading, one item per character (a run of other letters is one item)."""
    return _with_surname(name, [options[0] for options in _heteronyms(name)])


def _readings(name: str) -> list[list[str]]:
    """Readings of the name, the common one first: syllables, without empty ones."""
    every = _heteronyms(name)
    usual = _with_surname(name, [options[0] for options in every])
    choices: list[list[str]] = []
    for first, options in zip(usual, every, strict=True):
        others = [o for o in options if o.strip() and o != first]
        choices.append([first, *others[:1]])
    out = []
    for combo in itertools.islice(itertools.product(*choices), MAX_READINGS):
        out.append([s for s in combo if s.strip()])
    return out


def search_keys(
    name: str,
    phone: str | None = None,
    student_number: str | None = None,
    username: str | None = None,
    email: str | None = None,
) -> dict[str, int]:
    """Every key of a person with its rank (COMMON, IDENTIFIER or RARE)."""
    keys: dict[str, int] = {}

    def add(key: str, rank: int) -> None:
        if key:
            key = key[:120]
            keys[key] = min(rank, keys.get(key, rank))

    clean = re.sub(r"\s+", "", name.lower())
    # The name and each of its tails, so a given name alone ("伟") finds 张伟.
    for i in range(len(clean)):
        add(clean[i:], COMMON)
    if _HAN.search(name):
        for n, sylls in enumerate(_readings(name)):
            rank = COMMON if n == 0 else RARE
            initials = [s[0] for s in sylls]
            for i in range(len(sylls)):
                add("".join(sylls[i:]), rank)
                add("".join(initials[i:]), rank)
    else:
        # Latin names: every word starts a key ("Li Na" → "lina", "na").
        words = [w for w in re.split(r"\s+", name.lower()) if w]
        for i in range(len(words)):
            add("".join(words[i:]), COMMON)
        if len(words) > 1:
            add("".join(w[0] for w in words), COMMON)
    for extra in (phone, student_number, username, email):
        if extra:
            add(extra.lower(), IDENTIFIER)
    return keys


def prefix_end(q: str) -> str:
    """The smallest string greater than every string starting with q."""
    return q + "\U0010ffff"


def sort_key(name: str) -> str:
    """Directory order: by the common reading, the way Chinese users expect (陈 before 张, 曾
    under z), then the name."""
    return ("".join(common_reading(name)) + " " + name)[:200]
