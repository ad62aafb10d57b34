"""Gate requests through the API: list, read, file, vote, decide, withdraw."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictFieldsMixin
from core.filters import IdFilter
from core.permissions import require
from governance.council.rules import go_blockers, parse_conditions
from governance.gates import permissions, selectors, services
from governance.gates.acting_chair import ActingChairAccount, acting_chair_account
from governance.gates.presentation import council_recusals, criterion_rows, live_criteria
from governance.models import (
    DecidedAs,
    Decision,
    GateException,
    GateRequest,
    GateRequestStatus,
    Seat,
    Vote,
    VoteChoice,
)
from portfolio.api import UserSummarySerializer
from portfolio.models import Initiative
from portfolio.permissions import get_initiative_for_user


class GateCriterionSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.CharField()
    evidence_url = serializers.CharField(source="href", help_text="Where the evidence lives")
    hard = serializers.BooleanField(
        help_text="Never overridable: while it fails, go is refused (409)"
    )


class GateBlockerSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    label = serializers.CharField()
    detail = serializers.CharField()


class GateBlockedSerializer(serializers.Serializer):
    """409 when a hard criterion blocks the go: which ones, in words."""

    detail = serializers.CharField()
    blocked_by = GateBlockerSerializer(many=True)


class GateExceptionSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion_id")
    label = serializers.CharField()
    detail = serializers.CharField()
    justification = serializers.CharField()
    granted_by = UserSummarySerializer()
    granted_at = serializers.DateTimeField()


class GateActingChairRecordSerializer(serializers.Serializer):
    """Who stood in for the chair, who named them, and the chair's position: recused from the
    initiative, or not (then the acting chair stood in for an absent chair)."""

    acting_chair = UserSummarySerializer(allow_null=True)
    named_by = UserSummarySerializer(allow_null=True)
    chair = UserSummarySerializer(
        allow_null=True, help_text="Who chaired the council (null: nobody, or not recorded)"
    )
    chair_recused = serializers.BooleanField(
        allow_null=True,
        help_text="Pending: whether the chair is recused now; decided: whether they were when "
        "the acting chair decided (null: not recorded)",
    )
    chair_recused_as = serializers.CharField(
        help_text='What recuses the chair ("safety owner"); "" when not recused or not recorded'
    )
    summary = serializers.CharField(help_text="The same in words, as the request page says it")


def acting_chair_record_data(account: ActingChairAccount) -> dict[str, Any]:
    position = account.position
    return GateActingChairRecordSerializer(
        {
            "acting_chair": account.acting_chair,
            "named_by": account.named_by,
            "chair": position.chair if position is not None else None,
            "chair_recused": account.chair_recused,
            "chair_recused_as": position.recused_as if position is not None else "",
            "summary": " ".join(
                part for part in (account.named_by_sentence(), account.position_sentence()) if part
            ),
        }
    ).data


class GateTallySerializer(serializers.Serializer):
    approvals = serializers.IntegerField()
    approvals_with_conditions = serializers.IntegerField()
    rejections = serializers.IntegerField()
    abstentions = serializers.IntegerField()
    votes_cast = serializers.IntegerField()
    quorum = serializers.IntegerField()
    quorum_met = serializers.BooleanField()
    missing_seats = serializers.ListField(child=serializers.CharField())
    can_decide = serializers.BooleanField(help_text="Hold or kill may be recorded")
    can_go = serializers.BooleanField(help_text="Go may be recorded")
    go_blockers = serializers.ListField(child=serializers.CharField())


def tally_data(gate_request: GateRequest, votes: list[Vote]) -> dict[str, Any]:
    result = selectors.request_tally(gate_request, votes)
    quorum = gate_request.policy_version.quorum
    return {
        "approvals": result.approvals,
        "approvals_with_conditions": result.approvals_with_conditions,
        "rejections": result.rejections,
        "abstentions": result.abstentions,
        "votes_cast": result.votes_cast,
        "quorum": quorum,
        "quorum_met": result.quorum_met,
        "missing_seats": list(result.missing_seats),
        "can_decide": result.can_decide,
        "can_go": result.can_go,
        "go_blockers": list(go_blockers(result, quorum=quorum)),
    }


class GateVoteSerializer(serializers.ModelSerializer):
    voter = UserSummarySerializer()
    # Declared: a read-only model field loses `allow_blank`, and the schema would then deny the
    # "" a voter without a seat has.
    seat = serializers.ChoiceField(choices=Seat.choices, allow_blank=True, read_only=True)
    conditions = serializers.SerializerMethodField()

    class Meta:
        model = Vote
        fields = ["id", "voter", "seat", "choice", "comment", "conditions", "cast_at"]
        read_only_fields = fields

    def get_conditions(self, vote: Vote) -> list[str]:
        return list(parse_conditions(vote.conditions))


class GateRecusalSerializer(serializers.Serializer):
    member = UserSummarySerializer()
    seat = serializers.CharField()
    reason = serializers.CharField(help_text="e.g. business owner")


class GatePolicySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="policy_id")
    title = serializers.CharField(source="policy.title")
    version = serializers.IntegerField(source="number")
    quorum = serializers.IntegerField()
    required_seats = serializers.ListField(child=serializers.CharField())
    decider_roles = serializers.ListField(child=serializers.CharField())


class GateActionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    owner = UserSummarySerializer()
    due_date = serializers.DateField()
    status = serializers.CharField()


class GateRequestSerializer(serializers.ModelSerializer):
    """A gate request as listed: where it stands, without its evidence and votes."""

    initiative_title = serializers.CharField(source="initiative.title")
    requested_by = UserSummarySerializer()
    decided_by = UserSummarySerializer(allow_null=True)
    overdue = serializers.SerializerMethodField()
    votes_cast = serializers.SerializerMethodField()
    quorum = serializers.IntegerField(source="policy_version.quorum")
    decision = serializers.ChoiceField(
        choices=Decision.choices, allow_blank=True, read_only=True, help_text='"" until decided'
    )

    class Meta:
        model = GateRequest
        fields = [
            "id",
            "initiative",
            "initiative_title",
            "from_stage",
            "to_stage",
            "status",
            "requested_by",
            "requested_at",
            "review_due_at",
            "overdue",
            "all_criteria_passed",
            "votes_cast",
            "quorum",
            "decision",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields

    def get_overdue(self, gate_request: GateRequest) -> bool:
        return (
            gate_request.status == GateRequestStatus.PENDING
            and gate_request.review_due_at < self.context["now"]
        )

    def get_votes_cast(self, gate_request: GateRequest) -> int:
        return len(gate_request.votes.all())


class GateRequestDetailSerializer(GateRequestSerializer):
    """One gate request with what the council decides on: evidence, votes, tally, recusals."""

    evidence = serializers.SerializerMethodField()
    policy = GatePolicySummarySerializer(source="policy_version")
    votes = serializers.SerializerMethodField()
    tally = serializers.SerializerMethodField()
    recusals = serializers.SerializerMethodField()
    action_items = serializers.SerializerMethodField()

    class Meta(GateRequestSerializer.Meta):
        fields = [
            *GateRequestSerializer.Meta.fields,
            "justification",
            "evidence",
            "policy",
            "votes",
            "tally",
            "recusals",
            "decision_reason",
            "meeting",
            "action_items",
            "acting_chair",
            "decided_as",
            "acting_chair_record",
            "criteria_now",
            "decision_evidence",
            "exceptions",
            "iterate_due_on",
            "returned_from",
        ]
        read_only_fields = fields

    acting_chair = UserSummarySerializer(allow_null=True)
    decided_as = serializers.ChoiceField(
        # The model's label for an acting chair says "the chair is recused", which is not
        # always so (the chair may only be away): acting_chair_record says which.
        choices=[
            (DecidedAs.CHAIR, DecidedAs.CHAIR.label),
            (DecidedAs.ACTING_CHAIR, "Acting chair named for this request"),
        ],
        allow_blank=True,
        read_only=True,
        help_text='"" until decided',
    )
    acting_chair_record = serializers.SerializerMethodField(
        help_text="Set when an acting chair decided the request or is named for it while it is "
        "pending: who named them and whether the chair is (or was) recused"
    )
    criteria_now = serializers.SerializerMethodField(
        help_text="Pending requests: the criteria on the live record now (what a go is held to)"
    )
    decision_evidence = serializers.SerializerMethodField(
        help_text="Decided requests: the criteria as evaluated when the decision was taken"
    )
    exceptions = serializers.SerializerMethodField(
        help_text="Soft criteria the council overrode to say go, with the justification"
    )

    @extend_schema_field(GateActingChairRecordSerializer(allow_null=True))
    def get_acting_chair_record(self, gate_request: GateRequest) -> dict[str, Any] | None:
        account = acting_chair_account(gate_request)
        return acting_chair_record_data(account) if account is not None else None

    @extend_schema_field(GateCriterionSerializer(many=True))
    def get_criteria_now(self, gate_request: GateRequest) -> list[dict[str, Any]]:
        if gate_request.status != GateRequestStatus.PENDING:
            return []
        rows, _ = live_criteria(gate_request)
        return GateCriterionSerializer(rows, many=True).data

    @extend_schema_field(GateCriterionSerializer(many=True))
    def get_decision_evidence(self, gate_request: GateRequest) -> list[dict[str, Any]]:
        rows = criterion_rows(gate_request.decision_evidence or [], gate_request.initiative_id)
        return GateCriterionSerializer(rows, many=True).data

    @extend_schema_field(GateExceptionSerializer(many=True))
    def get_exceptions(self, gate_request: GateRequest) -> list[dict[str, Any]]:
        return GateExceptionSerializer(gate_request.exceptions.all(), many=True).data

    @extend_schema_field(GateCriterionSerializer(many=True))
    def get_evidence(self, gate_request: GateRequest) -> list[dict[str, Any]]:
        rows = criterion_rows(gate_request.evidence or [], gate_request.initiative_id)
        return GateCriterionSerializer(rows, many=True).data

    @extend_schema_field(GateVoteSerializer(many=True))
    def get_votes(self, gate_request: GateRequest) -> list[dict[str, Any]]:
        return GateVoteSerializer(gate_request.votes.all(), many=True).data

    @extend_schema_field(GateTallySerializer)
    def get_tally(self, gate_request: GateRequest) -> dict[str, Any]:
        return tally_data(gate_request, list(gate_request.votes.all()))

    @extend_schema_field(GateRecusalSerializer(many=True))
    def get_recusals(self, gate_request: GateRequest) -> list[dict[str, Any]]:
        return GateRecusalSerializer(council_recusals(gate_request.initiative), many=True).data

    @extend_schema_field(GateActionItemSerializer(many=True))
    def get_action_items(self, gate_request: GateRequest) -> list[dict[str, Any]]:
        if gate_request.status != GateRequestStatus.DECIDED:
            return []
        items = gate_request.action_items.select_related("owner")
        return GateActionItemSerializer(items, many=True).data


class GateRequestCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    initiative = serializers.PrimaryKeyRelatedField(queryset=Initiative.objects.all())
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="Required when any criterion of the gate fails.",
    )


class GateVoteCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    choice = serializers.ChoiceField(choices=VoteChoice.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    conditions = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="One condition per line (approve_with_conditions).",
    )


class GateActionItemInputSerializer(StrictFieldsMixin, serializers.Serializer):
    title = serializers.CharField(max_length=300)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True)
    )
    due_date = serializers.DateField()


class GateDecideSerializer(StrictFieldsMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(max_length=5000)
    action_items = GateActionItemInputSerializer(many=True, required=False)
    override_justification = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="Go while soft criteria fail: why the council overrides them (recorded as "
        "exceptions). Hard criteria cannot be overridden.",
    )
    iterate_due_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Iterate: the day the bounded fix (at most two sprints) returns to the council",
    )


class GateActingChairSerializer(StrictFieldsMixin, serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        allow_null=True,
        help_text="A council member who is not recused; null clears the acting chair",
    )


class GateReasonSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class GateVoteResultSerializer(GateVoteSerializer):
    tally = GateTallySerializer()

    class Meta(GateVoteSerializer.Meta):
        fields = [*GateVoteSerializer.Meta.fields, "tally"]
        read_only_fields = fields


class GateRequestFilter(django_filters.FilterSet):
    initiative = IdFilter(field_name="initiative_id", label="Initiative id")
    status = django_filters.ChoiceFilter(choices=GateRequestStatus.choices)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="Pending and past the review date"
    )

    class Meta:
        model = GateRequest
        fields = ["initiative", "status", "overdue"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = Q(status=GateRequestStatus.PENDING, review_due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)


class GateRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Gate requests: every Gatehouse role reads them. An initiative's business or delivery owner
    (or a governance admin) files one; council members vote; the chair decides."""

    filterset_class = GateRequestFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    # The actions ask their own question (vote, decide, …) of the request before the body.
    write_roles = {
        "create": (permissions.can_request_gates, permissions.REQUEST_DENIED_MESSAGE),
    }

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "list":
            return GateRequestSerializer
        return GateRequestDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    def get_queryset(self) -> QuerySet[GateRequest]:
        if not permissions.can_view_governance(self.request.user):
            return GateRequest.objects.none()
        votes = Vote.objects.order_by("cast_at", "pk")
        if self.action != "list":
            votes = votes.select_related("voter")
        queryset = (
            GateRequest.objects.select_related(
                "initiative",
                "requested_by",
                "decided_by",
                "acting_chair",
                "policy_version__policy",
            )
            .prefetch_related(Prefetch("votes", queryset=votes))
            .order_by("requested_at", "pk")
        )
        if self.action == "list":
            return queryset
        # One request's page shows its exceptions; the list does not.
        return queryset.prefetch_related(
            Prefetch("exceptions", queryset=GateException.objects.select_related("granted_by"))
        )

    def _detail(self, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        gate_request = self.get_queryset().get(pk=pk)
        data = GateRequestDetailSerializer(gate_request, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(
        request=GateRequestCreateSerializer, responses={201: GateRequestDetailSerializer}
    )
    def create(self, request: Request) -> Response:
        """File a gate request for the initiative's next stage, freezing the evidence."""
        data = GateRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        initiative = get_initiative_for_user(request.user, data.validated_data["initiative"].pk)
        require(
            permissions.can_request_gate(request.user, initiative),
            permissions.REQUEST_DENIED_MESSAGE,
        )
        gate_request = services.gate_request_create(
            initiative=initiative,
            actor=request.user,
            justification=data.validated_data.get("justification", ""),
        )
        return self._detail(gate_request.pk, status_code=status.HTTP_201_CREATED)

    def _target(self) -> GateRequest:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(request=GateVoteCreateSerializer, responses={201: GateVoteResultSerializer})
    @action(detail=True, methods=["post"])
    def votes(self, request: Request, pk: str) -> Response:
        """Cast or change your vote; recused members (owners, sponsor) are refused."""
        gate_request = self._target()
        require(
            permissions.can_vote(request.user, gate_request.policy_version.decider_roles),
            permissions.NOT_A_DECIDER_MESSAGE,
        )
        data = GateVoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vote = services.vote_cast(
            request=gate_request,
            actor=request.user,
            choice=data.validated_data["choice"],
            comment=data.validated_data.get("comment", ""),
            conditions=data.validated_data.get("conditions", ""),
        )
        fresh = self.get_queryset().get(pk=gate_request.pk)
        votes = list(fresh.votes.all())
        vote = next(v for v in votes if v.pk == vote.pk)
        body = {**GateVoteSerializer(vote).data, "tally": tally_data(fresh, votes)}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=GateDecideSerializer,
        responses={200: GateRequestDetailSerializer, 409: GateBlockedSerializer},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """The chair (or the acting chair named for the request) records go (stage
        advances), hold (paused), kill (stopped) or iterate (a bounded fix that comes back).

        A go while a hard criterion fails answers 409 naming it, whatever the votes; while
        soft ones fail it needs `override_justification`, and each override is recorded as an
        exception.
        """
        gate_request = self._target()
        require(
            permissions.can_decide(request.user, gate_request),
            permissions.decide_denied_message(request.user, gate_request),
        )
        data = GateDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.gate_request_decide(
            request=gate_request,
            actor=request.user,
            decision=data.validated_data["decision"],
            reason=data.validated_data["reason"],
            action_items=[dict(item) for item in data.validated_data.get("action_items", [])],
            override_justification=data.validated_data.get("override_justification", ""),
            iterate_due_on=data.validated_data.get("iterate_due_on"),
        )
        return self._detail(gate_request.pk)

    @extend_schema(request=GateActingChairSerializer, responses=GateRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="acting-chair")
    def acting_chair(self, request: Request, pk: str) -> Response:
        """The chair (recused, or unable to be there) or a governance admin names who decides
        in the chair's place; null clears it. A chair who is not recused may still decide."""
        require(
            permissions.can_name_acting_chair(request.user),
            permissions.ACTING_CHAIR_DENIED_MESSAGE,
        )
        gate_request = self._target()
        data = GateActingChairSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.gate_request_name_acting_chair(
            request=gate_request, actor=request.user, member=data.validated_data["member"]
        )
        return self._detail(gate_request.pk)

    @extend_schema(request=GateReasonSerializer, responses=GateRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """The requester, the initiative's owners or an admin withdraw a pending request."""
        gate_request = self._target()
        require(
            permissions.can_withdraw_request(
                request.user, gate_request.initiative, gate_request.requested_by_id
            ),
            permissions.WITHDRAW_DENIED_MESSAGE,
        )
        data = GateReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.gate_request_withdraw(
            request=gate_request, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._detail(gate_request.pk)
