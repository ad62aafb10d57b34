"""/api/v1/ for the council: meetings, gate policies with their versions, members.

Shapes:

* ``council-meetings/``: list (newest first; each with ``agenda_summary`` and
  ``decision_count``), retrieve (adds the frozen ``agenda``, ``decisions`` with vote counts and
  ``attendees``), create (POST ``{title, scheduled_for}``; chair or governance admin; the agenda
  is built and frozen server side). ``{id}/minutes/`` (POST ``{minutes, version}``) saves the
  minutes; a stale ``version`` is 409 with the stored minutes. ``{id}/decisions/`` (POST
  ``{requests: [ids]}``) links decided gate requests to the meeting.
* ``gate-policies/``: list and retrieve, each policy with ``current_version`` and every version
  (newest first, with ``criteria_text`` in words and ``pending_requests``).
  ``{id}/versions/`` (POST ``{criteria, quorum, required_seats, decider_roles, note}``;
  governance admin) makes a new version; pending requests keep theirs.
* ``council-members/``: list (everyone with a role); POST ``{user, seat, is_chair, active}``
  (governance admin) gives a seat or changes it; one active chair at a time.

Serializers validate shape only; every write goes through the service the pages use.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictFieldsMixin
from core.roles import Role
from governance.council_presentation import describe_criteria
from governance.council_selectors import (
    meeting_attendees,
    meeting_decisions,
    policies_with_versions,
    policy_versions,
)
from governance.council_services import (
    MEETING_DENIED,
    MEMBERSHIP_DENIED,
    agenda_summary,
    can_read_council,
    can_run_meetings,
    council_membership_set,
    meeting_attach_requests,
    meeting_create,
    meeting_record_minutes,
)
from governance.models import (
    CouncilMeeting,
    CouncilMembership,
    GatePolicy,
    GatePolicyVersion,
    GateRequest,
    Seat,
)
from governance.permissions import can_edit_policies, can_manage_council
from governance.services import gate_policy_version_create
from portfolio.api import UserSummarySerializer

User = get_user_model()
POLICY_DENIED = "Only a governance admin can change gate policies."

# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


class MeetingSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A council meeting. Create with `title` and `scheduled_for`; the rest is read only."""

    created_by = UserSummarySerializer(read_only=True)
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
        if not can_run_meetings(self.request.user):
            raise PermissionDenied(MEETING_DENIED)

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


# ---------------------------------------------------------------------------------------------
# Gate policies
# ---------------------------------------------------------------------------------------------


class PolicyVersionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """One version of a gate. POST to `gate-policies/{id}/versions/` to make a new one."""

    criteria = serializers.JSONField(
        help_text='[{"id": criterion id, "params": {...}}], e.g. '
        '{"id": "scorecard_ready", "params": {"max_age_days": 90, "min_total": 55}}'
    )
    # Plain strings: the service checks them against the seats and answers by field. (A second
    # enum of the same seats would clash with `seat` in the schema's enum names.)
    required_seats = serializers.ListField(
        child=serializers.CharField(),
        allow_empty=True,
        help_text=f"Seat ids, each needing an approval: {', '.join(Seat.values)}",
    )
    decider_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[role.value for role in Role]), allow_empty=False
    )
    criteria_text = serializers.SerializerMethodField()
    pending_requests = serializers.IntegerField(source="pending_count", read_only=True)
    created_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = GatePolicyVersion
        fields = [
            "id",
            "number",
            "criteria",
            "criteria_text",
            "decider_roles",
            "quorum",
            "required_seats",
            "note",
            "pending_requests",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["number", "created_at"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_criteria_text(self, version: GatePolicyVersion) -> list[str]:
        return [criterion.text for criterion in describe_criteria(version.criteria)]


class PolicySerializer(serializers.ModelSerializer):
    """A gate (one transition) with its current version and every version, newest first."""

    current_version = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = GatePolicy
        fields = ["id", "from_stage", "to_stage", "title", "current_version", "versions"]

    @extend_schema_field(PolicyVersionSerializer(allow_null=True))
    def get_current_version(self, policy: GatePolicy) -> dict[str, Any] | None:
        versions = policy.version_list
        return PolicyVersionSerializer(versions[0]).data if versions else None

    @extend_schema_field(PolicyVersionSerializer(many=True))
    def get_versions(self, policy: GatePolicy) -> list[dict[str, Any]]:
        return PolicyVersionSerializer(policy.version_list, many=True).data


class PolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Gate policies; everyone with a role reads them, governance admins add versions."""

    serializer_class = PolicySerializer
    pagination_class = None  # four transitions: one page

    def get_queryset(self) -> QuerySet[GatePolicy]:
        if not can_read_council(self.request.user):
            return GatePolicy.objects.none()
        return policies_with_versions()

    @extend_schema(request=PolicyVersionSerializer, responses={201: PolicyVersionSerializer})
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        policy = self.get_object()
        if not can_edit_policies(request.user):
            raise PermissionDenied(POLICY_DENIED)
        serializer = PolicyVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        before = policy.versions.order_by("-number").values_list("pk", flat=True).first()
        version = gate_policy_version_create(
            policy=policy,
            actor=request.user,
            criteria=data["criteria"],
            quorum=data["quorum"],
            required_seats=data["required_seats"],
            decider_roles=data["decider_roles"],
            note=data.get("note", ""),
        )
        # Content identical to the current version makes no new one: 200 with the current.
        return Response(
            PolicyVersionSerializer(policy_versions().get(pk=version.pk)).data,
            status=status.HTTP_200_OK if version.pk == before else status.HTTP_201_CREATED,
        )


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------


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
        if not can_manage_council(request.user):
            raise PermissionDenied(MEMBERSHIP_DENIED)
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
