"""Form helpers every app's pages share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: under each field it names, the rest on top.

    Services validate again what forms checked, plus the rules only they know; this keeps their
    messages next to the field the user must fix.
    """
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)
