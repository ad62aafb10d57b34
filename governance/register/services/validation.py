"""Validation shared by the four kinds of register record: each error names its field."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from core.people import display_name
from core.roles import has_any_role

Errors = dict[str, str]

SCORE_RANGE = range(1, 6)  # likelihood and impact
SEVERITY_RANGE = range(1, 26)


def reject_unknown(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))


def check_owner(errors: Errors, owner: Any, *, name: str = "owner") -> None:
    """An owner is a person who can log in and see the register, or nobody is accountable."""
    if owner is None or owner == "":
        errors[name] = "Name an owner: every record needs one accountable person."
    elif not isinstance(owner, AbstractBaseUser):
        errors[name] = "The owner must be a Gatehouse user."
    elif not owner.is_active or not has_any_role(owner):
        errors[name] = (
            f"{display_name(owner)} has no active Gatehouse role, so "
            "they could not see what they own; choose someone who does."
        )


def check_text(errors: Errors, data: Mapping[str, Any], name: str, label: str, limit: int) -> None:
    value = data.get(name)
    if value is None or not str(value).strip():
        errors[name] = f"{label} is required."
    elif len(str(value)) > limit:
        errors[name] = f"{label} is too long: at most {limit} characters, got {len(str(value))}."


def check_optional_text(errors: Errors, data: Mapping[str, Any], name: str, limit: int) -> None:
    value = data.get(name)
    if value is not None and len(str(value)) > limit:
        errors[name] = f"At most {limit} characters, got {len(str(value))}."


def check_score(errors: Errors, data: Mapping[str, Any], name: str, meaning: str) -> None:
    value = data.get(name)
    if value is None or value == "":
        errors[name] = f"Choose a {name} from 1 to 5 ({meaning})."
        return
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCORE_RANGE:
        errors[name] = (
            f"{name.capitalize()} must be a whole number from 1 to 5 ({meaning}); got {value!r}."
        )


def check_date(errors: Errors, data: Mapping[str, Any], name: str, label: str) -> None:
    value = data.get(name)
    if value is None or value == "":
        errors[name] = f"{label} is required."
    elif not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors[name] = f"{label} must be a date."


def raise_errors(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)
