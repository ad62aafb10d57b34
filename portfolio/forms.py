from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from core.people import display_name
from portfolio.models import (
    PROBLEM_STATEMENT_FIELDS,
    BusinessUnit,
    Initiative,
    ProblemStatement,
    Stage,
    Vendor,
)
from portfolio.services import INITIATIVE_EDITABLE_FIELDS


def gatehouse_users() -> QuerySet:
    """Active people who hold a Gatehouse role: the only sensible owners and sponsors."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__isnull=False)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:  # noqa: ANN001
        return display_name(obj)


class DateInput(forms.DateInput):
    input_type = "date"


class GatehouseFormMixin:
    """Labels without a trailing colon: screen readers read them as the field's name."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


# On an existing initiative: the service refuses a raise (AUTONOMY_RAISE_MESSAGE); say so first.
AUTONOMY_EDIT_HELP = (
    "Lowering the level is a plain edit. Raising it is an autonomy promotion the council "
    "decides: request it from the “Stage gate” section of the initiative's page."
)


class InitiativeForm(GatehouseFormMixin, forms.ModelForm):
    # The version the user loaded; a save against an older one is refused as a conflict.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    vendors = forms.ModelMultipleChoiceField(
        queryset=Vendor.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Initiative
        fields = [*INITIATIVE_EDITABLE_FIELDS, "vendors"]
        field_classes = dict.fromkeys(
            (
                "business_owner",
                "delivery_owner",
                "executive_sponsor",
                "value_owner",
                "safety_owner",
            ),
            UserChoiceField,
        )
        widgets = {
            "start_date": DateInput,
            "next_review_date": DateInput,
            "escalation_path": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "business_owner": "Required before the initiative leaves exploration.",
            "delivery_owner": "Required before the initiative leaves exploration.",
            "value_statement": "One line: what improves, for whom, by how much.",
            "production_budget_estimate": "Production typically costs 20–50× the POC.",
        }

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        users = gatehouse_users()
        for name in (
            "business_owner",
            "delivery_owner",
            "executive_sponsor",
            "value_owner",
            "safety_owner",
        ):
            self.fields[name].queryset = users
        self.fields["business_unit"].queryset = BusinessUnit.objects.all()
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["autonomy_level"].help_text = AUTONOMY_EDIT_HELP

    def service_data(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in INITIATIVE_EDITABLE_FIELDS}


class StageChangeForm(GatehouseFormMixin, forms.Form):
    to_stage = forms.ChoiceField(label="New stage", choices=Stage.choices)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why the stage changes outside a gate decision; kept in the audit trail.",
    )


class ProblemStatementForm(GatehouseFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProblemStatement
        fields = list(PROBLEM_STATEMENT_FIELDS)
        widgets = {
            "target_date": DateInput,
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in (
                    "friction",
                    "cause",
                    "cost",
                    "desired_outcome",
                    "success_metric",
                    "constraints",
                    "non_ai_alternative",
                )
            },
        }
        help_texts = {
            "user_team": (
                "Who exactly has the problem, e.g. “enterprise CSMs with more than 40 accounts”."
            ),
            "cost": "Make the pain visible: hours, euros, delay, risk — with a number.",
            "baseline": "Today's value of the KPI, with its unit, e.g. “14 h median resolution”.",
            "target": "The value that means success, e.g. “9 h median resolution”.",
            "non_ai_alternative": "What would you ship if AI were not available?",
        }
