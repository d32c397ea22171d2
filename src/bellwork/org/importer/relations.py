"""The relations a roster may give between a guardian and a student.

Both languages are accepted in any file; a synonym is stored as its canonical word in the same
language (妈妈 → 母亲, Mom → mother), so the directory shows one word for one relation.
docs/import.md lists the same vocabulary.
"""

from __future__ import annotations

# Canonical words, in the order the error message lists them.
CANONICAL: dict[str, tuple[str, ...]] = {
    "zh-CN": (
        "父亲",
        "母亲",
        "爷爷",
        "奶奶",
        "外公",
        "外婆",
        "继父",
        "继母",
        "哥哥",
        "姐姐",
        "叔叔",
        "伯伯",
        "姑姑",
        "舅舅",
        "姨妈",
        "监护人",
        "其他",
    ),
    "en": (
        "father",
        "mother",
        "grandfather",
        "grandmother",
        "stepfather",
        "stepmother",
        "brother",
        "sister",
        "uncle",
        "aunt",
        "guardian",
        "other",
    ),
}
SYNONYMS: dict[str, str] = {
    "爸爸": "父亲",
    "妈妈": "母亲",
    "祖父": "爷爷",
    "祖母": "奶奶",
    "外祖父": "外公",
    "姥爷": "外公",
    "外祖母": "外婆",
    "姥姥": "外婆",
    "阿姨": "姨妈",
    "小姨": "姨妈",
    "家长": "监护人",
    "其它": "其他",
    "dad": "father",
    "daddy": "father",
    "mom": "mother",
    "mum": "mother",
    "mommy": "mother",
    "mummy": "mother",
    "grandpa": "grandfather",
    "granddad": "grandfather",
    "grandma": "grandmother",
    "granny": "grandmother",
    "step-father": "stepfather",
    "step-mother": "stepmother",
    "legal guardian": "guardian",
    "others": "other",
}
_KNOWN: dict[str, str] = {
    **{w: w for words in CANONICAL.values() for w in words},
    **SYNONYMS,
}


def canonical_relation(value: str) -> str | None:
    """The stored word for `value` (None if it is not a known relation)."""
    key = " ".join(value.split()).lower()
    return _KNOWN.get(key)


def allowed_relations(locale: str) -> str:
    """The canonical words, the user's language first, for an error message."""
    first = CANONICAL.get(locale, CANONICAL["en"])
    other = [w for loc, words in CANONICAL.items() if words is not first for w in words]
    sep = "、" if locale == "zh-CN" else ", "
    return sep.join(first) + " / " + ", ".join(other)
