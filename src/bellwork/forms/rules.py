"""When a submission is abnormal: a template's rules ("temperature ≥ 37.3 °C", "any symptom",
"travel to a listed area"), each naming a field and a test of its clean answer.

- `gte` / `gt` / `lte` / `lt` a number: a number, temperature or rating field.
- `in` values: a single choice picked one of them, or a multiple choice picked any of them.
- `any_except` values: a multiple choice picked anything but them ("a symptom": anything but
  "none"); a single choice picked something else.

A rule whose field was not answered (hidden, optional) does not match. `abnormal` answers the
rules that match, so the alert can say why."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from bellwork.forms.fields import CHOICES, FormSchema, Key, Label

NUMERIC = ("number", "temperature", "rating")
MAX_RULES = 20


class Rule(BaseModel):
    field: Key
    op: Literal["gte", "gt", "lte", "lt", "in", "any_except"]
    value: float | Annotated[list[str], Field(min_length=1, max_length=50)]
    # What the alert says: "体温 ≥ 37.3 °C".
    label: Label


class FormDefinition(FormSchema):
    """A template version's fields and its abnormal-answer rules, checked together: a rule
    names a field of the form, of a kind its test applies to, with option values it has."""

    rules: Annotated[list[Rule], Field(default_factory=list, max_length=MAX_RULES)]

    @model_validator(mode="after")
    def _rules_fit(self) -> FormDefinition:
        by_key = {f.key: f for f in self.fields}
        for rule in self.rules:
            f = by_key.get(rule.field)
            if f is None:
                raise ValueError("form_rule_field_unknown")
            if rule.op in ("gte", "gt", "lte", "lt"):
                if f.kind not in NUMERIC or isinstance(rule.value, list):
                    raise ValueError("form_rule_mismatch")
            else:
                if f.kind not in CHOICES or not isinstance(rule.value, list):
                    raise ValueError("form_rule_mismatch")
                if not set(rule.value) <= {o.value for o in f.options}:  # type: ignore[union-attr]
                    raise ValueError("form_rule_mismatch")
        return self


def matches(rule: Rule, answer: Any) -> bool:
    if answer is None:
        return False
    value = rule.value
    if isinstance(value, list):
        picked = set(answer) if isinstance(answer, list) else {answer}
        if rule.op == "in":
            return bool(picked & set(value))
        return bool(picked - set(value))  # any_except
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return False
    number = float(answer)
    if rule.op == "gte":
        return number >= value
    if rule.op == "gt":
        return number > value
    if rule.op == "lte":
        return number <= value
    return number < value  # lt


def abnormal(rules: list[Rule], clean: dict[str, Any]) -> list[Rule]:
    """The rules these (clean, checked) answers match."""
    return [rule for rule in rules if matches(rule, clean.get(rule.field))]
