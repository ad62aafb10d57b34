"""Forms of the gate pages: requests, votes, decisions, withdrawals, pause/resume/stop.

They check shape only (a choice is one of the choices, a date is a date); whether the user may
do it and whether the request's state allows it is the services' business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from core.people import display_name
from governance.models import Decision, VoteChoice
from portfolio.forms import DateInput, GatehouseFormMixin, gatehouse_users


class GateRequestForm(GatehouseFormMixin, forms.Form):
    # Optional here: the service decides whether it is required (any failing criterion) and
    # says so under this field, so the rule lives in one place.
    justification = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the council should weigh against the criteria that fail.",
    )


class ChoiceWithReasonsRadioSelect(forms.RadioSelect):
    """Radio buttons where some options are disabled, each with the reason shown beside it.

    A disabled "Go" says why ("Required seat Legal has not approved") instead of vanishing.
    """

    def __init__(self, *args: Any, disabled: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.disabled = dict(disabled or {})

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # noqa: ANN001, ANN201, PLR0913
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        reason = self.disabled.get(str(value))
        if reason:
            option["attrs"]["disabled"] = True
            option["attrs"]["aria-describedby"] = f"{option['attrs'].get('id', name)}_reason"
            option["disabled_reason"] = reason
        return option


class VoteForm(GatehouseFormMixin, forms.Form):
    choice = forms.ChoiceField(
        label="Your vote", choices=VoteChoice.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    conditions = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One condition per line; each becomes an action item when the chair decides.",
    )


class DecisionForm(GatehouseFormMixin, forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=Decision.choices)
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the decision and in the audit trail.",
    )

    def __init__(self, *args: Any, disabled: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget = ChoiceWithReasonsRadioSelect(
            choices=Decision.choices, disabled=disabled
        )


class ActionItemRowForm(GatehouseFormMixin, forms.Form):
    """One extra action item the chair attaches to the decision; an empty row is ignored.

    The owner choices come from the formset (`people`), loaded once for all rows rather than
    once per row as a ModelChoiceField would.
    """

    title = forms.CharField(required=False, max_length=300, label="Action")
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Owner")
    due_date = forms.DateField(required=False, widget=DateInput, label="Due date")

    def __init__(self, *args: Any, people: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            ("", "Choose an owner"),
            *((person.pk, display_name(person)) for person in people),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("title"):
            if not data.get("owner"):
                self.add_error("owner", "Name who owns this action.")
            if not data.get("due_date"):
                self.add_error("due_date", "Give the date this action is due.")
        elif data.get("owner") or data.get("due_date"):
            self.add_error("title", "Say what the action is, or clear this row.")
        return data


class BaseActionItemFormSet(forms.BaseFormSet):
    def action_items(self) -> list[dict[str, Any]]:
        """The filled rows as the service's `action_items` entries (owner as a user)."""
        people = {person.pk: person for person in self.form_kwargs.get("people", ())}
        return [
            {
                "title": form.cleaned_data["title"],
                "owner": people[form.cleaned_data["owner"]],
                "due_date": form.cleaned_data["due_date"],
            }
            for form in self.forms
            if form.cleaned_data.get("title")
        ]


ActionItemFormSet = forms.formset_factory(
    ActionItemRowForm, formset=BaseActionItemFormSet, extra=3, max_num=20, validate_max=True
)


def action_item_formset(data: Any = None) -> BaseActionItemFormSet:
    """The decision's action item rows, with owner choices read once."""
    people = list(gatehouse_users())
    return ActionItemFormSet(data, prefix="actions", form_kwargs={"people": people})


class ReasonForm(GatehouseFormMixin, forms.Form):
    """Pause, resume, stop and withdraw: each needs a reason for the audit trail."""

    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit trail and shown on the initiative page.",
    )


QUEUE_SHOW_CHOICES = (
    ("pending", "Pending"),
    ("overdue", "Overdue"),
    ("decided", "All decided"),
)


class QueueFilterForm(forms.Form):
    show = forms.ChoiceField(
        choices=QUEUE_SHOW_CHOICES, required=False, widget=forms.RadioSelect, label="Show"
    )

    def show_value(self) -> str:
        if self.is_valid() and self.cleaned_data.get("show"):
            return self.cleaned_data["show"]
        return "pending"
