"""Forms of the council pages: meetings, minutes, gate policy edits, membership.

They check shape only; who may do it and what the council's rules allow is the services'
business (governance.council_services and governance.services).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.roles import ROLE_LABELS, Role
from governance.council_presentation import criterion_name
from governance.models import GatePolicyVersion, GateRequest, Seat
from governance.rules import CRITERIA, CRITERION_PARAMS
from portfolio.forms import GatehouseFormMixin, UserChoiceField


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MeetingForm(GatehouseFormMixin, forms.Form):
    title = forms.CharField(max_length=200, help_text="e.g. “Weekly AI council, 3 December”.")
    scheduled_for = forms.DateTimeField(
        label="Date and time",
        widget=DateTimeLocalInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text="Decisions recorded on this day are linked to the meeting.",
    )


class MinutesForm(GatehouseFormMixin, forms.Form):
    # The version the editor loaded: a save over newer minutes is refused as a conflict.
    version = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="What was discussed and agreed; decisions are listed from the gate requests.",
    )


class AttachDecisionsForm(GatehouseFormMixin, forms.Form):
    requests = forms.ModelMultipleChoiceField(
        queryset=GateRequest.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Decisions taken in this meeting",
        error_messages={"required": "Choose at least one decision to link."},
    )

    def __init__(self, *args: Any, candidates: QuerySet[GateRequest], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requests"].queryset = candidates
        self.fields["requests"].label_from_instance = lambda request: (
            f"{request.initiative.title}: {request.get_from_stage_display()} → "
            f"{request.get_to_stage_display()} — {request.get_decision_display()}"
        )


def council_candidates() -> QuerySet:
    """People who can hold a seat: active users with the council member role, and members."""
    return (
        get_user_model()
        .objects.filter(
            Q(groups__name=Role.COUNCIL_MEMBER.value) | Q(council_membership__isnull=False),
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class MembershipForm(GatehouseFormMixin, forms.Form):
    user = UserChoiceField(queryset=get_user_model().objects.none(), label="Person")
    seat = forms.ChoiceField(choices=Seat.choices)
    is_chair = forms.BooleanField(
        required=False, label="Chair", help_text="The chair records the council's decisions."
    )
    active = forms.BooleanField(
        required=False,
        initial=True,
        help_text="Inactive members keep their history but vote no more.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = council_candidates()


# ---------------------------------------------------------------------------------------------
# Gate policy edits
# ---------------------------------------------------------------------------------------------

# Labels of the parameters an admin tunes on the policy page; their bounds and defaults are
# governance.rules.CRITERION_PARAMS. Parameters not shown (the scorecard's template key) are
# kept as they were.
PARAM_LABELS: dict[tuple[str, str], str] = {
    ("checklist_passed", "template"): "Checklist that must pass",
    ("scorecard_ready", "max_age_days"): "Maximum age of the scorecard (days)",
    ("scorecard_ready", "min_total"): "Minimum total (of 90)",
    ("scorecard_ready", "critical_minimum"): "Minimum score of each critical area (1–5)",
    ("no_unmitigated_high_risk", "min_severity"): (
        "Risks at or above this severity (of 25) need a mitigation"
    ),
}


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


def default_scheduled_for(now: datetime.datetime) -> datetime.datetime:
    """Tomorrow at 10:00 local time: a sensible first guess for the next council meeting."""
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(10, 0)))
