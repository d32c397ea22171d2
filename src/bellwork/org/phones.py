"""Phone numbers: validated as real numbers of their region, stored in one form.

- A number without a country code is a mainland China number and must be a mobile number
  (`139 1234 5678`, `139-1234-5678`, `+86 139…`, `0086 139…`, full-width digits: all the same).
- A number with another country code (`+852 …`, `+1 …`) must be valid for its region.
- Stored form (what login, search and uniqueness compare): the 11 digits of a mainland number
  without `+86`, as the people API has always stored them; other numbers in E.164 (`+85291234567`).
- **The reserved block 100 0000 0000 – 100 9999 9999** is accepted although no operator assigns
  it: that is why the demo data, the tests and the documentation use it. A number there never
  reaches a person, so it cannot be a typo of someone's real number that matters, and it keeps
  demo installations from ever texting a stranger. `EXAMPLE_PHONE` (100 0000 0000) is kept for
  the import template's example row, which the importer skips.

The checks use Google's libphonenumber data (`phonenumbers`).
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from bellwork.core.text import fold_width

DEFAULT_REGION = "CN"
RESERVED = re.compile(r"^(?:\+86|0086)?(100[0-9]{8})$")
EXAMPLE_PHONE = "10000000000"
INVALID = "phone_invalid"  # message `v.phone_invalid` in core/i18n.py
_SEPARATORS = re.compile(r"[\s\-().]")
_MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def normalise_phone(value: str | None) -> str | None:
    """The stored form of `value` (None when blank), or ValueError("phone_invalid")."""
    if value is None:
        return None
    v = _SEPARATORS.sub("", fold_width(value))
    if v == "":
        return None
    reserved = RESERVED.match(v)
    if reserved:
        return reserved.group(1)
    if len(v) > 20 or not re.fullmatch(r"\+?[0-9]+", v):
        raise ValueError(INVALID)
    try:
        number = phonenumbers.parse(v, DEFAULT_REGION)
    except NumberParseException as exc:
        raise ValueError(INVALID) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(INVALID)
    if number.country_code == 86:
        if phonenumbers.number_type(number) not in _MOBILE:
            raise ValueError(INVALID)
        return str(number.national_number)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
