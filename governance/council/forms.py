"""Forms of the council pages: meetings, minutes, membership.

They check shape only; who may do it and what the council's rules allow is the services'
business (governance.council.services).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.roles import Role
from governance.models import GateRequest, Seat
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


def default_scheduled_for(now: datetime.datetime) -> datetime.datetime:
    """Tomorrow at 10:00 local time: a sensible first guess for the next council meeting."""
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(10, 0)))
