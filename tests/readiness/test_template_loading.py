"""Templates ship as data and load idempotently; a changed template becomes a new version."""

from __future__ import annotations

import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import AuditEvent
from readiness.models import AppliesTo, Assessment, AssessmentTemplate, TemplateVersion
from readiness.rules import TemplateDefinition, evaluate, load_shipped_templates
from readiness.services import (
    assessment_create_draft,
    assessment_evaluate,
    latest_template_version,
    template_version_load,
)
from tests.factories import SCORECARD, InitiativeFactory, UserFactory, scores, submitted_scorecard

pytestmark = pytest.mark.django_db

SHIPPED = {
    "ai_feature_readiness": ("initiative", 8),
    "before_poc": ("initiative", 7),
    "poc_to_production": ("initiative", 7),
    "readiness_scorecard": ("initiative", 18),
    "rollout_governance": ("initiative", 14),
    "use_case_guardrails": ("initiative", 5),
    "vendor_evaluation": ("vendor", 12),
}


def _load() -> str:
    out = StringIO()
    call_command("load_templates", stdout=out)
    return out.getvalue()


def _loaded_events() -> int:
    return AuditEvent.objects.filter(action="template_version.loaded").count()


def _scorecard_with_strong_label(label: str) -> TemplateDefinition:
    """The shipped scorecard with its top band renamed: changed content, same template."""
    document = copy.deepcopy(load_shipped_templates()[SCORECARD].to_dict())
    (strong,) = [band for band in document["rules"]["bands"] if band["id"] == "strong"]
    strong["label"] = label
    return TemplateDefinition.from_dict(document)


def test_load_templates_loads_all_seven_as_version_one():
    output = _load()
    templates = {t.key: t for t in AssessmentTemplate.objects.all()}
    assert set(templates) == set(SHIPPED)
    for key, (applies_to, item_count) in SHIPPED.items():
        version = latest_template_version(key)
        assert templates[key].applies_to == applies_to
        assert version.number == 1
        assert len(version.parsed.items) == item_count
        assert version.definition["version"] == 1
        assert len(version.checksum) == 64
        assert f"{key:<24} v1  loaded" in output
    assert templates["vendor_evaluation"].applies_to == AppliesTo.VENDOR
    assert templates[SCORECARD].title == load_shipped_templates()[SCORECARD].title


def test_each_loaded_version_writes_an_audit_event():
    _load()
    events = AuditEvent.objects.filter(action="template_version.loaded")
    assert events.count() == 7
    assert {e.object_type for e in events} == {"readiness.templateversion"}
    assert {e.object_id for e in events} == {
        str(pk) for pk in TemplateVersion.objects.values_list("pk", flat=True)
    }
    assert all(e.changes["number"] == [None, 1] for e in events)
    assert all(e.actor is None for e in events)


def test_loading_twice_creates_nothing_and_writes_no_event():
    _load()
    versions = list(TemplateVersion.objects.values_list("pk", "checksum", "loaded_at"))
    events = AuditEvent.objects.count()
    output = _load()
    assert list(TemplateVersion.objects.values_list("pk", "checksum", "loaded_at")) == versions
    assert AssessmentTemplate.objects.count() == 7
    assert AuditEvent.objects.count() == events
    assert output.count("unchanged") == 7
    assert "loaded\n" not in output


def test_the_checksum_ignores_the_version_number_in_the_document():
    _load()
    shipped = load_shipped_templates()[SCORECARD].to_dict()
    shipped["version"] = 7
    version, created = template_version_load(definition=TemplateDefinition.from_dict(shipped))
    assert created is False
    assert version.number == 1


def test_a_changed_template_becomes_version_two(governance_admin):
    _load()
    events = _loaded_events()
    version, created = template_version_load(
        definition=_scorecard_with_strong_label("Strong readiness (revised)"),
        actor=governance_admin,
    )
    assert created is True
    assert version.number == 2
    assert version.definition["version"] == 2
    assert version.loaded_by == governance_admin
    assert latest_template_version(SCORECARD) == version
    assert version.template.versions.count() == 2
    assert _loaded_events() == events + 1
    event = AuditEvent.objects.filter(action="template_version.loaded").latest("id")
    assert event.object_id == str(version.pk)
    assert event.actor == governance_admin
    assert event.changes["number"] == [1, 2]
    # Loading the same change again is still idempotent, and the shipped files change nothing.
    again, created = template_version_load(
        definition=_scorecard_with_strong_label("Strong readiness (revised)")
    )
    assert (again, created) == (version, False)
    _load()
    assert _loaded_events() == events + 1
    assert latest_template_version(SCORECARD).number == 2


def test_returning_to_earlier_content_reuses_the_earlier_version():
    _load()
    template_version_load(definition=_scorecard_with_strong_label("Revised"))
    version, created = template_version_load(definition=load_shipped_templates()[SCORECARD])
    assert created is False
    assert version.number == 1


def test_an_assessment_keeps_its_version_and_its_result_after_a_new_version(
    initiative, product_owner
):
    _load()
    v1 = latest_template_version(SCORECARD)
    submitted = submitted_scorecard(initiative, product_owner, scores(v1, 5))
    draft_on_v1 = assessment_create_draft(
        template_key=SCORECARD, actor=product_owner, initiative=initiative
    )
    frozen = json.loads(json.dumps(submitted.result))
    assert frozen["band"]["label"] == "Strong readiness"

    v2, _ = template_version_load(definition=_scorecard_with_strong_label("Ready for rollout"))

    stored = Assessment.objects.select_related("template_version").get(pk=submitted.pk)
    assert stored.template_version == v1
    assert stored.result == frozen
    # Its own (immutable) version evaluates its answers to exactly what was frozen.
    again = evaluate(stored.template_version.parsed, stored.answers).as_dict()
    assert json.loads(json.dumps(again)) == frozen
    # A draft started before the change stays on v1 (and is the one people keep filling);
    # a draft started on another initiative after the change is on v2.
    draft_on_v1.refresh_from_db()
    assert draft_on_v1.template_version == v1
    assert (
        assessment_create_draft(template_key=SCORECARD, actor=product_owner, initiative=initiative)
        == draft_on_v1
    )
    other = InitiativeFactory(title="Started after the change", business_owner=product_owner)
    new_draft = assessment_create_draft(
        template_key=SCORECARD, actor=product_owner, initiative=other
    )
    assert new_draft.template_version == v2
    new_draft.answers = dict(stored.answers)
    assert assessment_evaluate(new_draft).band.label == "Ready for rollout"
    assert assessment_evaluate(stored).band.label == "Strong readiness"


def test_a_template_can_change_title_in_a_new_version():
    _load()
    document = load_shipped_templates()["before_poc"].to_dict()
    document["title"] = "Before any proof of concept"
    version, created = template_version_load(definition=TemplateDefinition.from_dict(document))
    assert created and version.number == 2
    assert AssessmentTemplate.objects.get(key="before_poc").title == "Before any proof of concept"


# ---------------------------------------------------------------------------------------------
# The admin only shows templates, versions and assessments: it never changes them
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, initiative, product_owner):
    _load()
    submitted_scorecard(initiative, product_owner, scores(latest_template_version(SCORECARD), 4))
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("model", ["assessmenttemplate", "templateversion", "assessment"])
def test_the_admin_lists_and_shows_readiness_data_read_only(admin_client, model):
    changelist = admin_client.get(f"/admin/readiness/{model}/")
    assert changelist.status_code == 200
    obj = {
        "assessmenttemplate": AssessmentTemplate.objects.get(key=SCORECARD),
        "templateversion": latest_template_version(SCORECARD),
        "assessment": Assessment.objects.get(),
    }[model]
    change = admin_client.get(f"/admin/readiness/{model}/{obj.pk}/change/")
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert admin_client.get(f"/admin/readiness/{model}/add/").status_code == 403
    assert admin_client.post(f"/admin/readiness/{model}/{obj.pk}/change/", {}).status_code == 403
    assert (
        admin_client.post(f"/admin/readiness/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert type(obj).objects.filter(pk=obj.pk).exists()
