"""The shapes of the register API (governance.register.api): what it answers, and what each
write accepts. They check shape only; the services decide.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from core.api import DateTimeField, StrictFieldsMixin
from governance.models import (
    ActionItem,
    Incident,
    LeadershipDecision,
    Risk,
    RiskCategory,
    RiskStatus,
)
from governance.register.filters import severity_level
from portfolio.api import UserSummarySerializer
from portfolio.models import Initiative

User = get_user_model()

VERSION_HELP = (
    "The version you read. If someone saved since, the API answers 409 and saves nothing."
)


def _user_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    # Any user id resolves here; the service refuses people without a Gatehouse role, by name.
    return serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), **kwargs)


def _initiative_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=Initiative.objects.all(), **kwargs)


class InitiativeSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class RiskSerializer(serializers.ModelSerializer):
    """A risk. `severity` = likelihood × impact and `escalated` are computed, never sent."""

    initiative = InitiativeSummarySerializer()
    owner = UserSummarySerializer()
    severity_level = serializers.SerializerMethodField(help_text="low, medium or high")

    class Meta:
        model = Risk
        fields = [
            "id",
            "initiative",
            "category",
            "description",
            "likelihood",
            "impact",
            "severity",
            "severity_level",
            "escalation_threshold",
            "escalated",
            "owner",
            "mitigation",
            "status",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_severity_level(self, risk: Risk) -> str:
        return severity_level(risk.severity).id


class RiskUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    description = serializers.CharField(max_length=2000)
    likelihood = serializers.IntegerField(help_text="1 rare … 5 almost certain")
    impact = serializers.IntegerField(help_text="1 negligible … 5 severe")
    owner = _user_field()
    mitigation = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    status = serializers.ChoiceField(
        choices=RiskStatus.choices,
        required=False,
        help_text="open or mitigating; close with POST {id}/close/",
    )
    escalation_threshold = serializers.IntegerField(
        required=False, help_text="Severity (1–25) at or above which the risk is escalated"
    )
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class RiskCreateSerializer(RiskUpdateSerializer):
    initiative = _initiative_field()
    version = None


class ReasonSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class IncidentSerializer(serializers.ModelSerializer):
    initiative = InitiativeSummarySerializer()
    owner = UserSummarySerializer()

    class Meta:
        model = Incident
        fields = [
            "id",
            "initiative",
            "summary",
            "occurred_at",
            "owner",
            "response",
            "impact",
            "corrective_action",
            "status",
            "resolved_at",
            "version",
        ]
        read_only_fields = fields


class IncidentUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    summary = serializers.CharField(max_length=300)
    occurred_at = DateTimeField()
    owner = _user_field()
    response = serializers.CharField(allow_blank=True, required=False, max_length=5000)
    impact = serializers.CharField(allow_blank=True, required=False, max_length=5000)
    corrective_action = serializers.CharField(allow_blank=True, required=False, max_length=5000)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class IncidentCreateSerializer(IncidentUpdateSerializer):
    initiative = _initiative_field()
    version = None


class IncidentResolveSerializer(StrictFieldsMixin, serializers.Serializer):
    corrective_action = serializers.CharField(
        allow_blank=True,
        required=False,
        max_length=5000,
        help_text="Required unless the incident already has one",
    )
    reason = serializers.CharField(allow_blank=True, required=False, max_length=2000)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class LeadershipDecisionSerializer(serializers.ModelSerializer):
    initiative = InitiativeSummarySerializer(allow_null=True, help_text="null: whole portfolio")
    owner = UserSummarySerializer()
    overdue = serializers.BooleanField(help_text="Open and due before today")

    class Meta:
        model = LeadershipDecision
        fields = [
            "id",
            "initiative",
            "question",
            "options",
            "implications",
            "owner",
            "due_date",
            "overdue",
            "status",
            "outcome",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class LeadershipDecisionUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    question = serializers.CharField(max_length=300)
    options = serializers.CharField(max_length=5000, help_text="One option per line")
    implications = serializers.CharField(allow_blank=True, required=False, max_length=5000)
    owner = _user_field()
    due_date = serializers.DateField()
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class LeadershipDecisionCreateSerializer(LeadershipDecisionUpdateSerializer):
    initiative = _initiative_field(
        allow_null=True, required=False, help_text="Omit or null for the whole portfolio"
    )
    version = None


class OutcomeSerializer(StrictFieldsMixin, serializers.Serializer):
    outcome = serializers.CharField(allow_blank=True, max_length=5000)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class ActionItemSerializer(serializers.ModelSerializer):
    initiative = InitiativeSummarySerializer()
    owner = UserSummarySerializer()
    overdue = serializers.BooleanField(help_text="Open and due before today")

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "initiative",
            "gate_request",
            "title",
            "owner",
            "due_date",
            "overdue",
            "status",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


class ActionItemCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    initiative = _initiative_field()
    title = serializers.CharField(max_length=300)
    owner = _user_field()
    due_date = serializers.DateField(help_text="A past date is allowed: the item is then overdue")


class ActionItemCompleteSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, max_length=2000)
