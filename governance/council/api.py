"""/api/v1/ for the council: meetings and members.

Shapes:

* ``council-meetings/``: list (newest first; each with ``agenda_summary`` and
  ``decision_count``), retrieve (adds the frozen ``agenda``, ``decisions`` with vote counts and
  ``attendees``), create (POST ``{title, scheduled_for}``; chair or governance admin; the agenda
  is built and frozen server side). ``{id}/minutes/`` (POST ``{minutes, version}``) saves the
  minutes; a stale ``version`` is 409 with the stored minutes. ``{id}/decisions/`` (POST
  ``{requests: [ids]}``) links decided gate requests to the meeting.
* ``council-members/``: list (everyone with a role); POST ``{user, seat, is_chair, active}``
  (governance admin) gives a seat or changes it; one active chair at a time.

Serializers validate shape only; every write goes through the service the pages use. (Gate
policies are in governance.gates.api.policies.)
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import DateTimeField, StrictFieldsMixin
from core.permissions import require
from governance.council.permissions import (
    MEETING_DENIED,
    MEMBERSHIP_DENIED,
    can_manage_council,
    can_read_council,
    can_run_meetings,
)
from governance.council.selectors import meeting_attendees, meeting_decisions
from governance.council.services import (
    agenda_summary,
    council_membership_set,
    meeting_attach_requests,
    meeting_create,
    meeting_record_minutes,
)
from governance.models import CouncilMeeting, CouncilMembership, GateRequest
from portfolio.api import UserSummarySerializer

User = get_user_model()


class MeetingSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A council meeting. Create with `title` and `scheduled_for`; the rest is read only."""

    created_by = UserSummarySerializer(read_only=True)
    scheduled_for = DateTimeField()
    agenda_summary = serializers.SerializerMethodField()
    decision_count = serializers.IntegerField(read_only=True)
    has_minutes = serializers.SerializerMethodField()

    class Meta:
        model = CouncilMeeting
        fields = [
            "id",
            "title",
            "scheduled_for",
            "agenda_summary",
            "decision_count",
            "has_minutes",
            "version",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]

    def get_agenda_summary(self, meeting: CouncilMeeting) -> str:
        return agenda_summary(meeting.agenda)

    def get_has_minutes(self, meeting: CouncilMeeting) -> bool:
        return bool(meeting.minutes)


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="request.pk")
    initiative = serializers.IntegerField(source="request.initiative_id")
    initiative_title = serializers.CharField(source="request.initiative.title")
    from_stage = serializers.CharField(source="request.from_stage")
    to_stage = serializers.CharField(source="request.to_stage")
    decision = serializers.CharField(source="request.decision")
    reason = serializers.CharField(source="request.decision_reason")
    decided_at = serializers.DateTimeField(source="request.decided_at")
    votes = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_votes(self, row: Any) -> dict[str, int]:
        return {
            "approve": row.approvals,
            "approve_with_conditions": row.approvals_with_conditions,
            "reject": row.rejections,
            "abstain": row.abstentions,
        }


class AttendeeSerializer(serializers.Serializer):
    name = serializers.CharField()
    seats = serializers.ListField(child=serializers.CharField())


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with its frozen agenda, the decisions taken in it, attendees and minutes."""

    agenda = serializers.JSONField(read_only=True)
    minutes = serializers.CharField(read_only=True)
    decisions = serializers.SerializerMethodField()
    attendees = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda", "minutes", "decisions", "attendees"]

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, meeting: CouncilMeeting) -> list[dict[str, Any]]:
        return DecisionSerializer(meeting_decisions(meeting), many=True).data

    @extend_schema_field(AttendeeSerializer(many=True))
    def get_attendees(self, meeting: CouncilMeeting) -> list[dict[str, Any]]:
        return AttendeeSerializer(meeting_attendees(meeting), many=True).data


class MinutesSerializer(StrictFieldsMixin, serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True, trim_whitespace=False)
    version = serializers.IntegerField(
        help_text="The version you read. If someone saved since, the API answers 409."
    )


class LinkDecisionsSerializer(StrictFieldsMixin, serializers.Serializer):
    requests = serializers.PrimaryKeyRelatedField(
        queryset=GateRequest.objects.all(), many=True, allow_empty=False
    )


class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Council meetings. Everyone with a role reads; the chair or a governance admin writes."""

    def get_queryset(self) -> QuerySet[CouncilMeeting]:
        if not can_read_council(self.request.user):
            return CouncilMeeting.objects.none()
        return (
            CouncilMeeting.objects.select_related("created_by")
            .annotate(decision_count=Count("decisions"))
            .order_by("-scheduled_for", "-id")
        )

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return MeetingSerializer if self.action == "list" else MeetingDetailSerializer

    def _require_runner(self) -> None:
        require(can_run_meetings(self.request.user), MEETING_DENIED)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._require_runner()
        serializer = MeetingSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        meeting = meeting_create(
            actor=request.user,
            title=serializer.validated_data["title"],
            scheduled_for=serializer.validated_data["scheduled_for"],
        )
        return Response(self._detail(meeting), status=status.HTTP_201_CREATED)

    def _detail(self, meeting: CouncilMeeting) -> dict[str, Any]:
        return MeetingDetailSerializer(
            self.get_queryset().get(pk=meeting.pk), context={"request": self.request}
        ).data

    @extend_schema(request=MinutesSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        self._require_runner()
        serializer = MinutesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting_record_minutes(
            meeting=meeting,
            actor=request.user,
            minutes=serializer.validated_data["minutes"],
            expected_version=serializer.validated_data["version"],
        )
        return Response(self._detail(meeting))

    @extend_schema(request=LinkDecisionsSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, pk: str | None = None) -> Response:
        meeting = self.get_object()
        self._require_runner()
        serializer = LinkDecisionsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meeting_attach_requests(
            meeting=meeting, actor=request.user, requests=serializer.validated_data["requests"]
        )
        return Response(self._detail(meeting))


class MembershipSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A council seat. POST {user, seat, is_chair, active} to give or change one (admins)."""

    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    person = UserSummarySerializer(source="user", read_only=True)
    is_chair = serializers.BooleanField(default=False)
    active = serializers.BooleanField(default=True)

    class Meta:
        model = CouncilMembership
        fields = ["id", "user", "person", "seat", "is_chair", "active"]
        # No validators generated from the one-chair constraint: the service checks it and
        # names the sitting chair, which DRF's generic "must make a unique set" cannot.
        validators: list = []


class MembershipViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The council's members; everyone with a role reads, governance admins change seats."""

    serializer_class = MembershipSerializer
    pagination_class = None  # a council is a handful of people

    def get_queryset(self) -> QuerySet[CouncilMembership]:
        if not can_read_council(self.request.user):
            return CouncilMembership.objects.none()
        return CouncilMembership.objects.select_related("user").order_by(
            "-active", "-is_chair", "seat", "user__username"
        )

    @extend_schema(request=MembershipSerializer, responses={200: MembershipSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(can_manage_council(request.user), MEMBERSHIP_DENIED)
        # An upsert: `user` is declared explicitly, so the model's one-per-user uniqueness
        # does not refuse a change to an existing seat.
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = CouncilMembership.objects.filter(user=data["user"]).exists()
        membership = council_membership_set(
            actor=request.user,
            user=data["user"],
            seat=data["seat"],
            is_chair=data["is_chair"],
            active=data["active"],
        )
        return Response(
            MembershipSerializer(membership).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )
