"""Factories for the rows tests need, and builders that go through the real services where the
domain computes something on the way (a problem statement's score, an assessment's result).

Model factories write rows straight to the table: use them for what a page or selector shows.
Tests of filing, saving or submitting call the service under test themselves.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import Role
from governance.models import CouncilMembership, GateRequest, GateRequestStatus, Seat
from portfolio.models import BusinessUnit, Initiative, ProblemStatement, ValueCategory, Vendor
from portfolio.services import problem_statement_save
from portfolio.vocabulary import SCORECARD_KEY
from readiness.models import Assessment, TemplateVersion
from readiness.services import assessment_create_draft, assessment_save, assessment_submit

SCORECARD = SCORECARD_KEY
# A problem statement that scores 5 for clarity: every field specific and measurable.
STRONG_STATEMENT = {
    "user_team": "Enterprise customer success managers with more than 40 active accounts",
    "friction": (
        "renewal preparation means manually reviewing CRM notes, tickets and call transcripts"
    ),
    "cause": "customer signals are scattered across four systems with no shared view",
    "cost": "3 hours of preparation per renewal and missed churn signals",
    "desired_outcome": "generate a reliable renewal briefing in under five minutes",
    "success_metric": "preparation time per renewal and manager trust in the summary",
    "constraints": "existing CRM, privacy and customer data constraints",
    "kpi": "Median renewal preparation time",
    "baseline": "3 hours per renewal",
    "target": "15 minutes per renewal",
    "target_date": "2027-03-31",
    "non_ai_alternative": "A shared renewal checklist and a CRM report template",
}
LOW_SCORE_COMMENT = "Gap owned by the delivery lead"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs) -> None:  # noqa: ANN003
        self.save()
        for role in extracted or ():
            # get_or_create: transactional tests flush the groups the migration created.
            self.groups.add(Group.objects.get_or_create(name=role.value)[0])


class BusinessUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessUnit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Business unit {n}")


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Vendor {n}")


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    title = factory.Sequence(lambda n: f"Initiative {n:04d}")
    business_unit = factory.SubFactory(BusinessUnitFactory)
    value_category = ValueCategory.SPEED
    value_statement = "Cut median handling time by a third."
    start_date = datetime.date(2026, 1, 5)


class CouncilMembershipFactory(factory.django.DjangoModelFactory):
    """A seat on the council; the user gets the council-member role unless one is given."""

    class Meta:
        model = CouncilMembership

    user = factory.SubFactory(UserFactory, roles=[Role.COUNCIL_MEMBER])
    seat = Seat.DATA
    is_chair = False
    active = True


def seated_council_member(*, seat: str, chair: bool = False, **user_fields: Any) -> Any:
    """A user with the council-member role holding `seat` (and chairing when `chair`)."""
    user = UserFactory(roles=[Role.COUNCIL_MEMBER], **user_fields)
    CouncilMembershipFactory(user=user, seat=seat, is_chair=chair)
    return user


class GateRequestFactory(factory.django.DjangoModelFactory):
    """A gate request row on `policy_version` (required), pending unless `decision` is given;
    its stages are the policy's unless given. Filing through the service is
    `governance.gates.services.requests.gate_request_create`."""

    class Meta:
        model = GateRequest

    initiative = factory.SubFactory(InitiativeFactory)
    from_stage = factory.LazyAttribute(lambda request: request.policy_version.policy.from_stage)
    to_stage = factory.LazyAttribute(lambda request: request.policy_version.policy.to_stage)
    requested_by = factory.LazyAttribute(lambda request: request.initiative.business_owner)
    review_due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    decision = ""
    status = factory.LazyAttribute(
        lambda request: GateRequestStatus.DECIDED if request.decision else GateRequestStatus.PENDING
    )


def problem_statement(
    initiative: Initiative, actor: Any, data: dict[str, str] | None = None
) -> ProblemStatement:
    """A new version of `initiative`'s problem statement (`STRONG_STATEMENT` by default), saved
    through the service so its checks and score are the product's."""
    current = ProblemStatement.objects.filter(initiative=initiative).first()
    return problem_statement_save(
        initiative=initiative,
        actor=actor,
        data=STRONG_STATEMENT if data is None else data,
        expected_version=current.version if current else 0,
    )


def scores(version: TemplateVersion, default: int, **overrides: int) -> dict[str, int]:
    """Every item of the template at `default`, with per-item overrides."""
    return {item_id: overrides.get(item_id, default) for item_id in version.parsed.item_ids}


def submitted_assessment(
    *,
    actor: Any,
    answers: dict[str, Any],
    template_key: str = SCORECARD,
    initiative: Initiative | None = None,
    vendor: Vendor | None = None,
) -> Assessment:
    """An assessment of `template_key` drafted, filled with `answers` and submitted by `actor`
    through the services; scores of 1 and 2 get the comment the template asks for."""
    draft = assessment_create_draft(
        template_key=template_key, actor=actor, initiative=initiative, vendor=vendor
    )
    comments = {item: LOW_SCORE_COMMENT for item, value in answers.items() if value in (1, 2)}
    draft = assessment_save(
        assessment=draft,
        actor=actor,
        expected_revision=draft.revision,
        answers=answers,
        comments=comments,
    )
    return assessment_submit(assessment=draft, actor=actor)


def submitted_scorecard(initiative: Initiative, actor: Any, answers: dict[str, int]) -> Assessment:
    """A readiness scorecard for `initiative` submitted by `actor` with `answers`."""
    return submitted_assessment(actor=actor, answers=answers, initiative=initiative)
