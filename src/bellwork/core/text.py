"""Checks for the short texts people give things: names, titles, file names, cells of a roster.

One place decides which characters such a text may hold, so a person's name refused by the
people API is refused by the importer too, with the same reason:
- **Control characters** (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) are refused; tab,
  line feed and carriage return are white space that callers fold into a single space.
- **Bidirectional embeddings, overrides and isolates** (U+202A–U+202E, U+2066–U+2069) are refused:
  they make a name display as something else ("exe.txt" shown for "txt.exe"), and nothing a school
  or a company names needs them. The left-to-right and right-to-left *marks* (U+200E, U+200F)
  and the zero-width joiner of emoji sequences stay allowed.
- **NFKC** (`fold_width`) turns the full-width forms Chinese input methods type (`１３９`, `Ａ`,
  `／`, the ideographic space) into their ordinary forms before anything is compared or stored.

`text_problem` names what is wrong (a stable code whose messages live in core/i18n.py as
`v.<code>`); pydantic validators raise `ValueError(code)`, which the app's validation handler
translates.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
FOLDED_WHITESPACE = frozenset("\t\n\r")
# Codes (messages `v.<code>` in core/i18n.py).
CONTROL = "text_control"
BIDI = "text_bidi"
MARKUP = "text_markup"


def fold_width(value: str) -> str:
    """NFKC: full-width digits, letters and punctuation become ordinary ones."""
    return unicodedata.normalize("NFKC", value)


def text_problem(value: str, *, markup: bool = False) -> str | None:
    """The code of the first thing wrong with `value`, or None.

    `markup`: also refuse `<` and `>`, which no person's name needs and which make a name look
    like HTML (`<b>x</b>`, `<script>`) wherever it is pasted unescaped.
    """
    for ch in value:
        if ch in BIDI_CONTROLS:
            return BIDI
        if ch not in FOLDED_WHITESPACE and unicodedata.category(ch) == "Cc":
            return CONTROL
        if markup and ch in "<>":
            return MARKUP
    return None


def check_text(value: str, *, markup: bool = False) -> str:
    """`value` unchanged, or ValueError(code) naming what is wrong with it."""
    problem = text_problem(value, markup=markup)
    if problem is not None:
        raise ValueError(problem)
    return value
