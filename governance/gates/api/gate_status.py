"""/api/v1/initiatives/{id}/gate-status: may this initiative be deployed at a stage?

Called by deployment pipelines with a read-only token (`manage.py create_pipeline_token`) and
by anyone with a Gatehouse role. The rule lives in governance.gates.gate_status; this only parses
the query, loads the initiative and shapes the answer.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import has_any_role
from core.schema import ErrorSerializer
from governance.gates.gate_status import GateStatus, initiative_gate_status
from governance.gates.pipeline_access import is_pipeline_user
from governance.models import Decision
from portfolio.models import STAGE_ORDER, Initiative, Stage, Status

# A pipeline token reads; HEAD is GET without a body. OPTIONS, POST and the rest are refused.
PIPELINE_METHODS = frozenset({"GET", "HEAD"})


class CanReadGateStatus(BasePermission):
    """Everyone with a Gatehouse role, and "pipeline" users for GET only."""

    message = (
        "This endpoint answers Gatehouse users and, for GET only, pipeline tokens "
        "(manage.py create_pipeline_token)."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if has_any_role(user):
            return True
        return request.method in PIPELINE_METHODS and is_pipeline_user(user)


class GateDecisionSerializer(serializers.Serializer):
    gate_request = serializers.IntegerField(source="gate_request_id")
    decision = serializers.ChoiceField(choices=Decision.choices)
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.SerializerMethodField()

    def get_decided_by(self, facts: Any) -> str | None:
        user = facts.decided_by
        return user.get_username() if user is not None else None


class GateStatusSerializer(serializers.Serializer):
    """Whether the initiative is approved for `stage`, and why (or why not)."""

    initiative = serializers.IntegerField(source="initiative_id")
    stage = serializers.ChoiceField(choices=Stage.choices)
    approved = serializers.BooleanField(
        help_text="True only when the stage is reached, the initiative is active, no "
        "re-review is open and (beyond exploration) a council go decision took it there."
    )
    current_stage = serializers.ChoiceField(choices=Stage.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="When approved, what approved it; otherwise every reason it is not.",
    )
    decision = GateDecisionSerializer(
        allow_null=True,
        help_text="The go decision that approves the stage or, failing that, the latest "
        "decision into it; null when there is none (or for exploration).",
    )
    rereview_open = serializers.BooleanField(
        help_text="A material change since approval awaits the council's re-review."
    )


class StageErrorSerializer(serializers.Serializer):
    stage = serializers.ListField(child=serializers.CharField())


def parse_stage(value: str | None) -> str:
    """The `stage` query parameter, or a ValidationError naming it."""
    if not value:
        raise ValidationError({"stage": "Give the stage to check, e.g. ?stage=pilot."})
    if value not in STAGE_ORDER:
        raise ValidationError(
            {"stage": f"“{value}” is not a stage. Choose one of: {', '.join(STAGE_ORDER)}."}
        )
    return value


class GateStatusView(APIView):
    permission_classes = [CanReadGateStatus]

    @extend_schema(
        operation_id="initiatives_gate_status",
        tags=["initiatives"],
        summary="Is the initiative approved for a stage?",
        description=(
            "For deployment pipelines: approved is true when the initiative is at `stage` or "
            "beyond (exploration < pilot < controlled_rollout < scale < operation), active, "
            "has no open re-review and, beyond exploration, a council go decision took it "
            "into that stage (or a later one it has reached). A stage set directly by a "
            "governance admin is not approved. Pipeline tokens (manage.py "
            "create_pipeline_token) may call this with GET and nothing else."
        ),
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Initiative id"
            ),
            OpenApiParameter(
                "stage",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                enum=list(STAGE_ORDER),
                description="The stage the pipeline wants to deploy for",
            ),
        ],
        responses={
            200: GateStatusSerializer,
            400: StageErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        examples=[
            OpenApiExample(
                "Approved",
                response_only=True,
                value={
                    "initiative": 12,
                    "stage": "pilot",
                    "approved": True,
                    "current_stage": "pilot",
                    "status": "active",
                    "reasons": ["approved by a go decision into Pilot (gate request #7)"],
                    "decision": {
                        "gate_request": 7,
                        "decision": "go",
                        "decided_at": "2026-03-02T10:15:00+01:00",
                        "decided_by": "chair",
                    },
                    "rereview_open": False,
                },
            ),
            OpenApiExample(
                "Not approved",
                response_only=True,
                value={
                    "initiative": 12,
                    "stage": "controlled_rollout",
                    "approved": False,
                    "current_stage": "pilot",
                    "status": "paused",
                    "reasons": [
                        "paused (hold): a paused initiative is approved for no stage until resumed",
                        "stage not reached: the initiative is in Pilot, before Controlled rollout",
                    ],
                    "decision": None,
                    "rereview_open": False,
                },
            ),
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        stage = parse_stage(request.query_params.get("stage"))
        try:
            initiative = Initiative.objects.only("id", "stage", "status").get(pk=pk)
        except Initiative.DoesNotExist:
            raise Http404("No such initiative.") from None
        status: GateStatus = initiative_gate_status(initiative, stage)
        response = Response(GateStatusSerializer(status).data)
        # Pipelines poll this; a cached "approved" could outlive a pause or a kill.
        response["Cache-Control"] = "no-store"
        return response
