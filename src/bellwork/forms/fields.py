"""What a form asks: its fields (one pydantic model per kind, a discriminated union on `kind`),
when a field shows (`show_if`), and the checks an answer must pass (`check_answers`).

A form's fields are stored as JSON in a template version (models.py) and validated with
`FormSchema` when a designer saves them, so a stored form is always one these checks
understand. Answers are plain JSON keyed by field `key`; `check_answers` answers the clean
values (numbers as numbers, a phone in its stored form, an ID number upper-cased) and every
problem at once, each naming its field (`answers.<key>`), in the request's language.

Labels and help texts are either one string (a form a school wrote in Chinese) or
{"zh-CN": ..., "en": ...} (the built-in templates, read in either language: `label_text`).
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from bellwork.core.i18n import current_locale, t
from bellwork.core.text import fold_width
from bellwork.org.phones import normalise_phone

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Label = Text | dict[Literal["zh-CN", "en"], Text]
MAX_FIELDS = 100
MAX_OPTIONS = 50

# What a body temperature may be at all (a typing error beyond it); "abnormal" is a rule's
# business (rules.py), not the field's.
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")


def label_text(label: Label | None, locale: str | None = None) -> str:
    """A label in `locale` (the request's by default): its own text, or the translation for
    the locale, else any."""
    if label is None:
        return ""
    if isinstance(label, str):
        return label
    loc = locale or current_locale.get()
    return label.get(loc) or label.get("en") or next(iter(label.values()), "")  # type: ignore[call-overload]


class Condition(BaseModel):
    """Show a field only when another's answer is one of `any_of` (a choice field's option,
    "yes"), or, for a multiple choice, includes one of them."""

    field: Key
    any_of: Annotated[list[str | int | float | bool], Field(min_length=1, max_length=MAX_OPTIONS)]


class Option(BaseModel):
    value: Annotated[str, Field(min_length=1, max_length=64)]
    label: Label


class _Field(BaseModel):
    key: Key
    label: Label
    help: Label | None = None
    required: bool = False
    show_if: Condition | None = None


class Section(_Field):
    """A heading between groups of questions; takes no answer."""

    kind: Literal["section"]


class ShortText(_Field):
    kind: Literal["text"]
    max_length: Annotated[int, Field(ge=1, le=500)] = 200


class LongText(_Field):
    kind: Literal["textarea"]
    max_length: Annotated[int, Field(ge=1, le=5000)] = 2000


class Number(_Field):
    kind: Literal["number"]
    unit: Annotated[str, Field(max_length=16)] | None = None
    min: float | None = None
    max: float | None = None
    decimals: Annotated[int, Field(ge=0, le=6)] = 0

    @model_validator(mode="after")
    def _range(self) -> Number:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("form_range_inverted")
        return self


class SingleChoice(_Field):
    kind: Literal["single"]
    options: Annotated[list[Option], Field(min_length=1, max_length=MAX_OPTIONS)]


class MultipleChoice(_Field):
    kind: Literal["multiple"]
    options: Annotated[list[Option], Field(min_length=1, max_length=MAX_OPTIONS)]
    # An option that excludes the others ("none of these").
    exclusive: Annotated[str, Field(max_length=64)] | None = None


class DateField(_Field):
    kind: Literal["date"]


class TimeField(_Field):
    kind: Literal["time"]


class Temperature(_Field):
    """Body temperature in °C, one decimal."""

    kind: Literal["temperature"]


class Phone(_Field):
    kind: Literal["phone"]


class IdNumber(_Field):
    """A mainland China resident ID number (18 characters, GB 11643 checksum)."""

    kind: Literal["id_number"]


class Location(_Field):
    """Where the filler is: the browser's position and the address shown for it."""

    kind: Literal["location"]


class Upload(_Field):
    """Photos or files, uploaded first (files API) and referred to by id."""

    kind: Literal["file"]
    max_files: Annotated[int, Field(ge=1, le=9)] = 3
    images_only: bool = False


class Rating(_Field):
    kind: Literal["rating"]
    max: Annotated[int, Field(ge=2, le=10)] = 5


FormField = Annotated[
    Section
    | ShortText
    | LongText
    | Number
    | SingleChoice
    | MultipleChoice
    | DateField
    | TimeField
    | Temperature
    | Phone
    | IdNumber
    | Location
    | Upload
    | Rating,
    Field(discriminator="kind"),
]
CHOICES = ("single", "multiple")


class FormSchema(BaseModel):
    """A form's questions in order. Keys are unique; a condition refers to a choice field
    before it (so a form never hides a question behind one asked later)."""

    fields: Annotated[list[FormField], Field(min_length=1, max_length=MAX_FIELDS)]

    @model_validator(mode="after")
    def _consistent(self) -> FormSchema:
        seen: dict[str, Any] = {}
        for f in self.fields:
            if f.key in seen:
                raise ValueError("form_key_repeated")
            if f.show_if is not None:
                target = seen.get(f.show_if.field)
                if target is None or target.kind not in CHOICES:
                    raise ValueError("form_condition_unknown")
                values = {o.value for o in target.options}
                if not {str(v) for v in f.show_if.any_of} <= values:
                    raise ValueError("form_condition_unknown")
            if (
                isinstance(f, MultipleChoice)
                and f.exclusive is not None
                and f.exclusive not in {o.value for o in f.options}
            ):
                raise ValueError("form_exclusive_unknown")
            if isinstance(f, SingleChoice | MultipleChoice):
                listed = [o.value for o in f.options]
                if len(set(listed)) != len(listed):
                    raise ValueError("form_option_repeated")
            seen[f.key] = f
        return self


# -- answers -------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_FORM = re.compile(r"^[1-9][0-9]{16}[0-9X]$")


def id_number_ok(value: str) -> bool:
    """An 18-character resident ID number: digits, a real birth date, the GB 11643 (ISO 7064
    MOD 11-2) check character."""
    if not _ID_FORM.match(value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > date.today():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def visible(fields: list[Any], answers: dict[str, Any]) -> list[Any]:
    """The fields that show for these answers: a field whose condition's field is hidden, or
    whose answer is not one of the condition's values, is hidden too."""
    shown: dict[str, Any] = {}
    for f in fields:
        cond = f.show_if
        if cond is not None:
            if cond.field not in shown:
                continue
            answer = answers.get(cond.field)
            wanted = {str(v) for v in cond.any_of}
            picked = answer if isinstance(answer, list) else [answer]
            if not wanted & {str(v) for v in picked if v is not None}:
                continue
        shown[f.key] = f
    return list(shown.values())


class _Problem(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Problem("form_answer_type")
    return value.strip()


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Problem("form_number_invalid")
    try:
        number = Decimal(fold_width(str(value)).strip())
    except InvalidOperation as exc:
        raise _Problem("form_number_invalid") from exc
    if not number.is_finite():
        raise _Problem("form_number_invalid")
    return number


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _check_number(f: Number, value: Any) -> int | float:
    number = _decimal(value)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > f.decimals:
        raise _Problem("form_number_decimals", decimals=f.decimals)
    if f.min is not None and number < Decimal(str(f.min)):
        raise _Problem("form_number_min", min=_fmt(f.min), unit=f.unit or "")
    if f.max is not None and number > Decimal(str(f.max)):
        raise _Problem("form_number_max", max=_fmt(f.max), unit=f.unit or "")
    return _plain(number)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _check_temperature(value: Any) -> float:
    number = _decimal(value)
    if not TEMPERATURE_MIN <= number <= TEMPERATURE_MAX:
        raise _Problem("form_temperature_range", min=TEMPERATURE_MIN, max=TEMPERATURE_MAX)
    return float(number.quantize(Decimal("0.1")))


def _check_choice(f: SingleChoice, value: Any) -> str:
    if not isinstance(value, str) or value not in {o.value for o in f.options}:
        raise _Problem("form_choice_unknown")
    return value


def _check_choices(f: MultipleChoice, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Problem("form_answer_type")
    values = {o.value for o in f.options}
    if not set(value) <= values:
        raise _Problem("form_choice_unknown")
    if f.exclusive is not None and f.exclusive in value and len(set(value)) > 1:
        raise _Problem("form_choice_exclusive", option=_option_label(f, f.exclusive))
    return [o.value for o in f.options if o.value in set(value)]  # the form's order, once each


def _option_label(f: SingleChoice | MultipleChoice, value: str) -> str:
    return next((label_text(o.label) for o in f.options if o.value == value), value)


def _check_date(value: Any) -> str:
    try:
        return date.fromisoformat(_string(value)).isoformat()
    except ValueError as exc:
        raise _Problem("form_date_invalid") from exc


def _check_time(value: Any) -> str:
    try:
        return time.fromisoformat(_string(value)).strftime("%H:%M")
    except ValueError as exc:
        raise _Problem("form_time_invalid") from exc


def _check_location(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Problem("form_location_invalid")
    try:
        lat, lng = float(value["lat"]), float(value["lng"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _Problem("form_location_invalid") from exc
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise _Problem("form_location_invalid")
    out: dict[str, Any] = {"lat": round(lat, 6), "lng": round(lng, 6)}
    address = value.get("address")
    if address is not None:
        out["address"] = _string(address)[:200]
    accuracy = value.get("accuracy")
    if isinstance(accuracy, int | float) and not isinstance(accuracy, bool) and accuracy >= 0:
        out["accuracy"] = round(float(accuracy), 1)
    return out


def _check_files(f: Upload, value: Any) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    ):
        raise _Problem("form_answer_type")
    ids = list(dict.fromkeys(value))
    if len(ids) > f.max_files:
        raise _Problem("form_files_too_many", max=f.max_files)
    return ids


def _check_rating(f: Rating, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= f.max:
        raise _Problem("form_rating_range", max=f.max)
    return int(value)


def _check_one(f: Any, value: Any) -> Any:
    kind = f.kind
    if kind == "text" or kind == "textarea":
        text = _string(value)
        if len(text) > f.max_length:
            raise _Problem("form_text_too_long", max=f.max_length)
        return text
    if kind == "number":
        return _check_number(f, value)
    if kind == "temperature":
        return _check_temperature(value)
    if kind == "single":
        return _check_choice(f, value)
    if kind == "multiple":
        return _check_choices(f, value)
    if kind == "date":
        return _check_date(value)
    if kind == "time":
        return _check_time(value)
    if kind == "phone":
        try:
            return normalise_phone(_string(value))
        except ValueError as exc:
            raise _Problem("form_phone_invalid") from exc
    if kind == "id_number":
        number = fold_width(_string(value)).upper().replace(" ", "")
        if not id_number_ok(number):
            raise _Problem("form_id_number_invalid")
        return number
    if kind == "location":
        return _check_location(value)
    if kind == "file":
        return _check_files(f, value)
    if kind == "rating":
        return _check_rating(f, value)
    raise _Problem("form_answer_type")  # a section takes no answer


def check_answers(
    fields: list[Any], answers: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The clean answers of the fields that show, and every problem (`field`, `message`,
    `type`). Answers to hidden fields and to keys the form does not have are dropped, not
    refused: a form changed under someone keeps what still applies."""
    clean: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for f in visible(fields, answers):
        if f.kind == "section":
            continue
        value = answers.get(f.key)
        if isinstance(value, str):
            value = value.strip()
        if _blank(value):
            if f.required:
                errors.append(_error(f, "form_required"))
            continue
        try:
            clean[f.key] = _check_one(f, value)
        except _Problem as p:
            errors.append(_error(f, p.code, **p.params))
    return clean, errors


def _error(f: Any, code: str, **params: Any) -> dict[str, Any]:
    return {
        "field": f"answers.{f.key}",
        "message": t(code, label=label_text(f.label), **params),
        "type": code,
    }
