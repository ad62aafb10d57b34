"""Forms of the register pages. They check shape; the services decide what is allowed.

The choices mirror the services' rules (likelihood and impact 1–5, threshold 1–25) so a
person gets the same field-named message before the service is even asked.
"""

from __future__ import annotations

from typing import Any

from django import forms

from governance.models import RiskCategory, RiskStatus
from governance.register.filters import IMPACT_LABELS, LIKELIHOOD_LABELS
from governance.register.services import DEFAULT_ESCALATION_THRESHOLD
from portfolio.forms import (
    DateInput,
    GatehouseFormMixin,
    InitiativeLookupField,
    UserChoiceField,
    gatehouse_users,
)

_OWNER_REQUIRED = {"required": "Name an owner: every record needs one accountable person."}


def _owner_field(help_text: str) -> UserChoiceField:
    return UserChoiceField(
        queryset=gatehouse_users(), error_messages=_OWNER_REQUIRED, help_text=help_text
    )


def _score_field(label: str, labels: dict[int, str], help_text: str) -> forms.TypedChoiceField:
    scale = f"from 1 ({labels[1].lower()}) to 5 ({labels[5].lower()})"
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[("", "Choose…"), *((n, f"{n} — {text}") for n, text in labels.items())],
        help_text=help_text,
        error_messages={
            "required": f"Choose a {label.lower()} {scale}.",
            "invalid_choice": f"{label} must be {scale}; “%(value)s” is not.",
        },
    )


class _VersionedForm(GatehouseFormMixin, forms.Form):
    # The version the user loaded; a save against an older one is refused as a conflict.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_data(self, names: tuple[str, ...]) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


class RiskForm(_VersionedForm):
    category = forms.ChoiceField(
        choices=[("", "Choose…"), *RiskCategory.choices],
        error_messages={"required": "Choose a category."},
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What could go wrong, and what it would cause.",
    )
    likelihood = _score_field("Likelihood", LIKELIHOOD_LABELS, "How likely it is to happen.")
    impact = _score_field("Impact", IMPACT_LABELS, "How bad it would be if it happened.")
    owner = _owner_field("The person who watches this risk and drives its mitigation.")
    mitigation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="What is being done to reduce likelihood or impact. High risks without one "
        "block a gate.",
    )
    status = forms.ChoiceField(
        choices=[(RiskStatus.OPEN, "Open"), (RiskStatus.MITIGATING, "Mitigation in progress")],
        initial=RiskStatus.OPEN,
    )
    escalation_threshold = forms.IntegerField(
        min_value=1,
        max_value=25,
        initial=DEFAULT_ESCALATION_THRESHOLD,
        help_text="Severity (likelihood × impact, 1–25) at or above which the risk goes to the "
        "council.",
        error_messages={
            "min_value": "The escalation threshold is a severity from 1 to 25.",
            "max_value": "The escalation threshold is a severity from 1 to 25.",
            "required": "Give the severity (1–25) at which this risk goes to the council.",
        },
    )

    def __init__(self, *args: Any, closed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = gatehouse_users()
        if closed:
            # Keeping "closed" keeps it closed; choosing another status reopens the risk.
            self.fields["status"].choices = [
                *self.fields["status"].choices,
                (RiskStatus.CLOSED, "Closed"),
            ]
            self.fields["status"].help_text = "Choose open or mitigating to reopen this risk."


class ReasonForm(_VersionedForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Kept in the audit trail.",
        error_messages={"required": "Give the reason; it is kept in the audit trail."},
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class IncidentForm(_VersionedForm):
    summary = forms.CharField(max_length=300, help_text="The issue in one line.")
    occurred_at = forms.DateTimeField(
        label="Occurred at",
        widget=DateTimeLocalInput,
        error_messages={"required": "Say when the incident happened."},
    )
    owner = _owner_field("Who owns the response and the corrective action.")
    response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text="What was done when it happened.",
    )
    impact = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text="Who or what was affected, and how much.",
    )
    corrective_action = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text="What changes so it does not happen again; required to resolve.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = gatehouse_users()


class IncidentResolveForm(_VersionedForm):
    corrective_action = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="What was changed so it does not happen again.",
        error_messages={
            "required": "Describe the corrective action before resolving: what was changed so "
            "it does not happen again."
        },
    )
    reason = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Anything the audit trail should say about the resolution.",
    )


class LeadershipDecisionForm(_VersionedForm):
    # A type-ahead, not a drop-down: a portfolio has thousands of initiatives. Without
    # JavaScript an id or the exact title works.
    initiative = InitiativeLookupField(
        help_text=(
            "Type its title or id and pick a suggestion; leave empty for a decision about the "
            "whole portfolio."
        ),
    )
    question = forms.CharField(
        max_length=300, help_text="The decision leadership must take, as one question."
    )
    options = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="One option per line.",
    )
    implications = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text="What each option means for value, risk, cost and people.",
    )
    owner = _owner_field("Who brings the decision to leadership and records the outcome.")
    due_date = forms.DateField(
        widget=DateInput, error_messages={"required": "Give the date the decision is needed by."}
    )

    def __init__(self, *args: Any, with_initiative: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = gatehouse_users()
        if not with_initiative:
            del self.fields["initiative"]


class DecisionOutcomeForm(_VersionedForm):
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="What leadership decided, and any conditions.",
        error_messages={"required": "Write down what leadership decided."},
    )


class ActionItemForm(GatehouseFormMixin, forms.Form):
    title = forms.CharField(max_length=300, help_text="The action, starting with a verb.")
    owner = _owner_field("Who will do it.")
    due_date = forms.DateField(
        widget=DateInput,
        help_text="A date in the past is allowed: the item is then overdue from the start.",
        error_messages={"required": "Give a due date."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = gatehouse_users()


class ActionItemCompleteForm(GatehouseFormMixin, forms.Form):
    note = forms.CharField(required=False, max_length=2000, label="Note (optional)")
