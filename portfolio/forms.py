from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html

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


# ---------------------------------------------------------------------------------------------
# Choosing one initiative out of thousands: a text input fed with suggestions
# ---------------------------------------------------------------------------------------------

# How many initiatives the type-ahead suggests for what was typed.
SUGGESTION_LIMIT = 20


def initiative_suggestions(text: str, *, limit: int = SUGGESTION_LIMIT) -> list[Initiative]:
    """At most `limit` initiatives whose title contains `text` (or whose id it is), by title."""
    text = text.strip()
    matches = Q(title__icontains=text) if text else Q()
    if text.isdigit():
        matches |= Q(pk=int(text))
    return list(
        Initiative.objects.filter(matches).only("id", "title").order_by("title", "id")[:limit]
    )


class InitiativeTypeahead(forms.TextInput):
    """A text input for an initiative's id or title, with a <datalist> of suggestions.

    The suggestions come from `portfolio:initiative_suggestions` as the user types (htmx swaps
    the datalist's options); picking one puts the initiative's id in the field, so the URL
    parameter stays the id. Without JavaScript the field still takes a typed id or title.
    """

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(
            {
                "autocomplete": "off",
                "placeholder": "Title or id",
                "inputmode": "search",
                **(attrs or {}),
            }
        )
        # The initiative the bound value names, set by InitiativeLookupField when it cleans it,
        # so the chosen title shows without another query.
        self.chosen: Initiative | None = None

    def get_context(self, name: str, value: object, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        list_id = f"{widget_attrs.get('id') or name}-suggestions"
        widget_attrs.update(
            {
                "list": list_id,
                "aria-describedby": f"{list_id}-chosen" if self.chosen else None,
                "hx-get": reverse("portfolio:initiative_suggestions"),
                "hx-trigger": "input changed delay:250ms, focus once",
                "hx-target": f"#{list_id}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        context["list_id"] = list_id
        return context

    def render(self, name: str, value: object, attrs: dict | None = None, renderer=None) -> str:  # noqa: ANN001
        context = self.get_context(name, value, attrs)
        attrs = {key: val for key, val in context["widget"]["attrs"].items() if val is not None}
        chosen = self.chosen
        return format_html(
            '<input type="text" name="{}"{}{}><datalist id="{}">{}</datalist>{}',
            name,
            format_html(' value="{}"', context["widget"]["value"])
            if context["widget"]["value"] is not None
            else "",
            flatatt(attrs),
            context["list_id"],
            format_html('<option value="{}">{}</option>', chosen.pk, chosen.title)
            if chosen
            else "",
            format_html(
                '<span class="helptext" id="{}-chosen">{}</span>', context["list_id"], chosen.title
            )
            if chosen
            else "",
        )


class InitiativeLookupField(forms.Field):
    """One initiative, typed as its id (what the suggestions and bookmarked URLs carry) or as its
    exact title (case does not matter). Empty means any initiative."""

    widget = InitiativeTypeahead
    default_error_messages = {
        "unknown_id": "No initiative has the id %(value)s.",
        "no_match": (
            "No initiative is titled “%(value)s”: type its whole title or its id, "
            "or pick one of the suggestions."
        ),
        "ambiguous": "Several initiatives are titled “%(value)s”: type the id of the one you mean.",
    }

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: object) -> Initiative | None:
        text = str(value or "").strip()
        if not text:
            return None
        initiatives = Initiative.objects.only("id", "title")
        if text.isdigit():
            found = initiatives.filter(pk=int(text)).first()
            if found is None:
                raise ValidationError(
                    self.error_messages["unknown_id"], code="unknown_id", params={"value": text}
                )
        else:
            matches = list(initiatives.filter(title__iexact=text).order_by("id")[:2])
            if not matches:
                raise ValidationError(
                    self.error_messages["no_match"], code="no_match", params={"value": text}
                )
            if len(matches) > 1:
                raise ValidationError(
                    self.error_messages["ambiguous"], code="ambiguous", params={"value": text}
                )
            found = matches[0]
        self.widget.chosen = found
        return found
