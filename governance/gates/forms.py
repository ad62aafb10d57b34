"""Forms of the gate pages: requests, votes, decisions, withdrawals, pause/resume/stop, the
gate policy editor, and autonomy promotions.

They check shape only (a choice is one of the choices, a date is a date); whether the user may
do it and whether the request's state allows it is the services' business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from core.people import display_name
from core.roles import ROLE_LABELS, Role
from governance.council.permissions import initiative_owner_ids
from governance.gates.autonomy_rules import AUTONOMY_CONDITIONS
from governance.gates.criterion_rules import CRITERIA, CRITERION_PARAMS
from governance.gates.presentation import criterion_name
from governance.models import (
    AutonomyPromotion,
    Decision,
    GatePolicyVersion,
    GateRequest,
    ItemReviewOutcome,
    Seat,
    VoteChoice,
)
from portfolio.forms import DateInput, GatehouseFormMixin, gatehouse_users

# Labels of the parameters an admin tunes on the policy page; their bounds and defaults are
# governance.gates.criterion_rules.CRITERION_PARAMS. Parameters not shown (the scorecard's
# template key) are kept as they were.
PARAM_LABELS: dict[tuple[str, str], str] = {
    ("checklist_passed", "template"): "Checklist that must pass",
    ("scorecard_ready", "max_age_days"): "Maximum age of the scorecard (days)",
    ("scorecard_ready", "min_total"): "Minimum total (of 90)",
    ("scorecard_ready", "critical_minimum"): "Minimum score of each critical area (1–5)",
    ("no_unmitigated_high_risk", "min_severity"): (
        "Risks at or above this severity (of 25) need a mitigation"
    ),
}


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
    override_justification = forms.CharField(
        required=False,
        max_length=5000,
        label="Why the council overrides the failing criteria",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Needed for a go while a soft criterion fails; each override is listed as an "
            "exception on the request, the initiative, the dashboard and the monthly report."
        ),
    )
    iterate_due_on = forms.DateField(
        required=False,
        widget=DateInput,
        label="Iterate: back to the council on",
        help_text="For an iterate decision: a bounded fix of at most two sprints.",
    )

    def __init__(
        self,
        *args: Any,
        disabled: Mapping[str, str] | None = None,
        needs_override: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget = ChoiceWithReasonsRadioSelect(
            choices=Decision.choices, disabled=disabled
        )
        self.needs_override = needs_override

    def clean_decision(self) -> str:
        # A disabled option can still be posted; refuse it here with the reason shown beside it.
        decision = self.cleaned_data["decision"]
        reason = self.fields["decision"].widget.disabled.get(decision)
        if reason:
            ending = "" if reason.endswith((".", "!", "?")) else "."
            raise forms.ValidationError(
                f"{Decision(decision).label} is not available: {reason}{ending}"
            )
        return decision


class ActingChairForm(GatehouseFormMixin, forms.Form):
    """Who decides a gate request or an autonomy promotion in place of a recused chair (empty:
    nobody, the chair decides). Give it the one whose decision it is about."""

    member = forms.ModelChoiceField(
        queryset=None, required=False, label="Acting chair", empty_label="Nobody (the chair)"
    )

    def __init__(
        self,
        *args: Any,
        gate_request: GateRequest | None = None,
        promotion: AutonomyPromotion | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        decided = gate_request if gate_request is not None else promotion
        if decided is None:
            raise TypeError("ActingChairForm needs a gate_request or a promotion.")
        recused = {pk for pk in initiative_owner_ids(decided.initiative) if pk}
        self.fields["member"].queryset = (
            get_user_model()
            .objects.filter(
                council_membership__active=True,
                council_membership__is_chair=False,
                is_active=True,
            )
            .exclude(pk__in=recused)
            .order_by("username")
        )
        self.fields["member"].label_from_instance = display_name
        self.initial.setdefault("member", decided.acting_chair_id)


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


class AutonomyPromotionForm(GatehouseFormMixin, forms.Form):
    """The evidence for each of the five conditions, one field each ("evidence.<id>", the name
    the service's errors use). Optional here: the service says what is missing or too thin."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for condition in AUTONOMY_CONDITIONS:
            self.fields[f"evidence.{condition.id}"] = forms.CharField(
                label=condition.label,
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=condition.explanation,
            )

    def evidence(self) -> dict[str, str]:
        return {
            condition.id: self.cleaned_data[f"evidence.{condition.id}"]
            for condition in AUTONOMY_CONDITIONS
        }


class AutonomyDecisionForm(GatehouseFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=(("approve", "Approve: raise the level"), ("reject", "Reject")),
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the decision and in the audit trail.",
    )

    def __init__(self, *args: Any, to_level_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if to_level_name:
            self.fields["decision"].choices = (
                ("approve", f"Approve: raise the level to {to_level_name}"),
                ("reject", "Reject: the level stays as it is"),
            )

    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class ItemReviewForm(GatehouseFormMixin, forms.Form):
    """The council's explicit review of an area scored 1. Whether the note and the conditions
    are needed is the service's rule (it says so under the field)."""

    outcome = forms.ChoiceField(
        label="Outcome", choices=ItemReviewOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        required=False,
        max_length=4000,
        label="What the council concluded",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    conditions = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "For “Accepted with conditions”: one per line; each becomes an action item for the "
            "delivery owner, due in 30 days."
        ),
    )


class RereviewConfirmForm(GatehouseFormMixin, forms.Form):
    note = forms.CharField(
        required=False,
        max_length=4000,
        label="Why the approval still holds",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RereviewSendBackForm(GatehouseFormMixin, forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=4000,
        label="Why the approval no longer holds",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "The initiative goes back to the stage it was in before its last go decision; the "
            "owners read this reason on its page and in the audit trail."
        ),
    )


def rereview_confirm_form(data: Any = None) -> RereviewConfirmForm:
    """With ids of its own: the confirm and send-back forms share a page."""
    return RereviewConfirmForm(data, auto_id="id_confirm_%s")


def rereview_send_back_form(data: Any = None) -> RereviewSendBackForm:
    return RereviewSendBackForm(data, auto_id="id_send_back_%s")


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


def _field_name(criterion_id: str, param: str | None = None) -> str:
    return f"{criterion_id}__{param}" if param else f"include__{criterion_id}"


class GatePolicyForm(GatehouseFormMixin, forms.Form):
    """One row per known criterion (include it? its parameters), the decision rules, a note.

    `criteria_payload()` gives the list a new version is made from: criteria already in the
    current version keep their order and any parameters the form does not show.
    """

    based_on = forms.IntegerField(widget=forms.HiddenInput)
    quorum = forms.IntegerField(
        min_value=1, max_value=20, help_text="How many council votes must be cast before deciding."
    )
    required_seats = forms.MultipleChoiceField(
        choices=Seat.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each needs an approval from a member in that seat before a go.",
    )
    decider_roles = forms.MultipleChoiceField(
        choices=[(role.value, ROLE_LABELS[role]) for role in Role],
        widget=forms.CheckboxSelectMultiple,
        label="Who decides",
        help_text="Roles whose votes count.",
    )
    note = forms.CharField(
        max_length=300,
        label="What changed and why",
        help_text="Kept with the version and in the audit trail.",
    )

    def __init__(
        self,
        *args: Any,
        current: GatePolicyVersion,
        checklist_choices: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        self.current = current
        current_params = {c["id"]: dict(c.get("params") or {}) for c in current.criteria}
        initial = {
            "based_on": current.number,
            "quorum": current.quorum,
            "required_seats": list(current.required_seats),
            "decider_roles": list(current.decider_roles),
        }
        ids = [*current_params, *(i for i in CRITERIA if i not in current_params)]
        self.rows: list[dict[str, Any]] = []
        fields: dict[str, forms.Field] = {}
        for criterion_id in ids:
            params = current_params.get(criterion_id, {})
            include = _field_name(criterion_id)
            fields[include] = forms.BooleanField(required=False, label=criterion_name(criterion_id))
            initial[include] = criterion_id in current_params
            param_names = []
            for param, spec in CRITERION_PARAMS.get(criterion_id, {}).items():
                label = PARAM_LABELS.get((criterion_id, param))
                if label is None:
                    continue
                name = _field_name(criterion_id, param)
                if spec.kind is int:
                    fields[name] = forms.IntegerField(
                        required=False,
                        min_value=spec.minimum,
                        max_value=spec.maximum,
                        label=label,
                    )
                else:
                    fields[name] = forms.ChoiceField(
                        required=False, choices=[("", "—"), *checklist_choices], label=label
                    )
                initial[name] = params.get(param, spec.default)
                param_names.append(name)
            self.rows.append({"id": criterion_id, "include": include, "params": param_names})
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields.update(fields)
        self._current_params = current_params

    def criteria_rows(self) -> list[dict[str, Any]]:
        """Bound fields per criterion row, for the template."""
        return [
            {
                "id": row["id"],
                "label": criterion_name(row["id"]),
                "include": self[row["include"]],
                "params": [self[name] for name in row["params"]],
            }
            for row in self.rows
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for row in self.rows:
            if not cleaned.get(row["include"]):
                continue
            for name in row["params"]:
                if name in cleaned and cleaned[name] in (None, ""):
                    self.add_error(name, "Required while this criterion is part of the gate.")
        if not any(cleaned.get(row["include"]) for row in self.rows):
            self.add_error(None, "A gate needs at least one criterion.")
        if not self.errors and self._unchanged(cleaned):
            self.add_error(None, "Nothing changed, so no new version was made.")
        return cleaned

    def criteria_payload(self) -> list[dict[str, Any]]:
        criteria = []
        for row in self.rows:
            if not self.cleaned_data.get(row["include"]):
                continue
            params: dict[str, Any] = dict(self._current_params.get(row["id"], {}))
            for name in row["params"]:
                params[name.split("__", 1)[1]] = self.cleaned_data[name]
            criteria.append({"id": row["id"], "params": params})
        return criteria

    def _unchanged(self, cleaned: Mapping[str, Any]) -> bool:
        return (
            self.criteria_payload() == _normalised(self.current.criteria)
            and cleaned.get("quorum") == self.current.quorum
            and sorted(cleaned.get("required_seats") or []) == sorted(self.current.required_seats)
            and sorted(cleaned.get("decider_roles") or []) == sorted(self.current.decider_roles)
        )


def _normalised(criteria: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": c["id"], "params": dict(c.get("params") or {})} for c in criteria]
