"""/api/v1/assessment-templates/ and /api/v1/assessments/: shapes, errors, permissions, queries."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent
from portfolio.models import Initiative
from readiness.models import Assessment, AssessmentStatus
from readiness.permissions import (
    INITIATIVE_ASSESSMENT_DENIED_MESSAGE,
    VENDOR_ASSESSMENT_DENIED_MESSAGE,
)
from readiness.rules import TemplateDefinition, evaluate, load_shipped_templates
from readiness.services import assessment_create_draft, assessment_save, template_version_load
from tests.factories import (
    SCORECARD,
    BusinessUnitFactory,
    UserFactory,
    VendorFactory,
    scores,
    submitted_scorecard,
)
from tests.roles import READERS, ROLES, api_client, expected_status

pytestmark = pytest.mark.django_db

TEMPLATES = "/api/v1/assessment-templates/"
ASSESSMENTS = "/api/v1/assessments/"
VENDOR_EVALUATION = "vendor_evaluation"


def _url(assessment: Assessment | int, suffix: str = "") -> str:
    pk = assessment if isinstance(assessment, int) else assessment.pk
    return f"{ASSESSMENTS}{pk}/{suffix}"


@pytest.fixture
def api(product_owner) -> APIClient:
    return api_client(product_owner)


@pytest.fixture
def vendor(db):
    return VendorFactory(name="Acme Models")


@pytest.fixture
def draft(templates_loaded, initiative, product_owner) -> Assessment:
    return assessment_create_draft(
        template_key=SCORECARD, actor=product_owner, initiative=initiative
    )


def _fill(draft: Assessment, actor, default: int = 4, **overrides: int) -> Assessment:
    answers = scores(draft.template_version, default, **overrides)
    comments = {item: "Gap owned by the delivery lead" for item, s in answers.items() if s <= 2}
    return assessment_save(
        assessment=draft,
        actor=actor,
        expected_revision=draft.revision,
        answers=answers,
        comments=comments,
    )


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


def test_templates_list_every_template_with_its_versions(api, templates_loaded):
    response = api.get(TEMPLATES)
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.data["results"]}
    assert response.data["count"] == 7
    assert set(rows) == set(templates_loaded)
    scorecard = rows[SCORECARD]
    assert scorecard["title"] == "AI readiness scorecard"
    assert scorecard["applies_to"] == "initiative"
    assert scorecard["latest_version"] == 1
    (version,) = scorecard["versions"]
    assert version["number"] == 1
    assert version["checksum"] == templates_loaded[SCORECARD].checksum
    assert version["loaded_at"]
    assert rows[VENDOR_EVALUATION]["applies_to"] == "vendor"
    assert "definition" not in scorecard


def test_a_template_shows_the_latest_definition_with_items_and_rules(api, templates_loaded):
    response = api.get(f"{TEMPLATES}{SCORECARD}/")
    assert response.status_code == 200
    definition = response.data["definition"]
    assert definition["answer_type"] == "score_1_5"
    assert definition["version"] == 1
    assert len(definition["items"]) == 18
    ownership = next(item for item in definition["items"] if item["id"] == "ownership")
    assert ownership["key_question"] == (
        "Is there a named business owner and a named delivery owner?"
    )
    assert ownership["what_to_check"] and ownership["red_flags"]
    assert set(ownership["guidance"]) == {"1", "2", "3", "4", "5"}
    rules = definition["rules"]
    assert [(b["id"], b["min"], b["max"]) for b in rules["bands"]] == [
        ("low", 18, 34),
        ("weak", 35, 54),
        ("moderate", 55, 74),
        ("strong", 75, 90),
    ]
    assert rules["bands"][-1]["recommended_action"] == "Proceed to controlled rollout"
    assert rules["critical_items"] == {
        "success_criteria": 3,
        "ownership": 3,
        "security_readiness": 3,
        "privacy_legal_readiness": 3,
        "production_readiness": 3,
    }
    assert rules["lowest_level_needs_review"] is True


def test_a_checklist_template_has_sentence_guidance_and_gate_rules(api, templates_loaded):
    definition = api.get(f"{TEMPLATES}ai_feature_readiness/").data["definition"]
    assert definition["answer_type"] == "yes_no"
    assert isinstance(definition["items"][0]["guidance"], str)
    assert definition["rules"]["sequential"] is True
    assert definition["rules"]["all_must_pass"] is True


def test_every_version_of_a_template_stays_readable(api, templates_loaded):
    document = copy.deepcopy(load_shipped_templates()[SCORECARD].to_dict())
    document["rules"]["bands"][-1]["label"] = "Ready for rollout"
    template_version_load(definition=TemplateDefinition.from_dict(document))

    detail = api.get(f"{TEMPLATES}{SCORECARD}/").data
    assert detail["latest_version"] == 2
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    assert detail["definition"]["rules"]["bands"][-1]["label"] == "Ready for rollout"

    old = api.get(f"{TEMPLATES}{SCORECARD}/versions/1/")
    assert old.status_code == 200
    assert old.data["template"] == SCORECARD
    assert old.data["number"] == 1
    assert old.data["definition"]["rules"]["bands"][-1]["label"] == "Strong readiness"
    new = api.get(f"{TEMPLATES}{SCORECARD}/versions/2/")
    assert new.data["definition"]["rules"]["bands"][-1]["label"] == "Ready for rollout"


@pytest.mark.parametrize(
    "url",
    [f"{TEMPLATES}nope/", f"{TEMPLATES}{SCORECARD}/versions/9/", f"{TEMPLATES}nope/versions/1/"],
)
def test_unknown_templates_and_versions_are_404(api, templates_loaded, url):
    assert api.get(url).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_templates_are_read_only(method, governance_admin, templates_loaded):
    client = api_client(governance_admin)
    url = TEMPLATES if method == "post" else f"{TEMPLATES}{SCORECARD}/"
    assert getattr(client, method)(url, {}, format="json").status_code == 405


@pytest.mark.parametrize("extra_versions", [0, 3])
def test_template_queries_do_not_grow_with_versions(
    client, executive, templates_loaded, django_assert_max_num_queries, extra_versions
):
    for n in range(extra_versions):
        document = load_shipped_templates()[SCORECARD].to_dict()
        document["title"] = f"Readiness scorecard {n}"
        template_version_load(definition=TemplateDefinition.from_dict(document))
    client.force_login(executive)
    # session, user, groups, count, templates, versions (definitions deferred)
    with django_assert_max_num_queries(6):
        assert client.get(TEMPLATES).status_code == 200
    # session, user, groups, template, versions with their definitions
    with django_assert_max_num_queries(5):
        response = client.get(f"{TEMPLATES}{SCORECARD}/")
    assert response.json()["latest_version"] == 1 + extra_versions


# ---------------------------------------------------------------------------------------------
# Creating drafts
# ---------------------------------------------------------------------------------------------


def test_create_an_initiative_draft(api, templates_loaded, initiative, product_owner):
    response = api.post(ASSESSMENTS, {"template": SCORECARD, "initiative": initiative.pk})
    assert response.status_code == 201, response.data
    body = response.data
    assessment = Assessment.objects.get()
    assert body["id"] == assessment.pk
    assert body["template"] == SCORECARD
    assert body["template_version"] == 1
    assert body["initiative"] == initiative.pk
    assert body["vendor"] is None
    assert body["status"] == "draft"
    assert body["revision"] == 1
    assert (body["answers"], body["evidence"], body["comments"]) == ({}, {}, {})
    assert body["total"] == 0 and body["max_total"] == 90
    assert body["band"] is None and body["recommended_action"] is None
    assert body["complete"] is False
    assert len(body["missing_items"]) == 18
    assert body["ready_to_scale"] is False
    assert body["verdict"] == "Incomplete: not ready to decide"
    assert body["created_by"]["username"] == "owner"
    assert body["submitted_by"] is None and body["submitted_at"] is None
    assert body["superseded_by"] is None
    assert AuditEvent.objects.filter(action="assessment.draft_created").count() == 1


def test_create_a_vendor_evaluation(templates_loaded, vendor, council_member):
    response = api_client(council_member).post(
        ASSESSMENTS, {"template": VENDOR_EVALUATION, "vendor": vendor.pk}
    )
    assert response.status_code == 201, response.data
    assert response.data["vendor"] == vendor.pk
    assert response.data["initiative"] is None
    assert response.data["max_total"] == 12


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"initiative": "INITIATIVE"}, "template", "This field is required."),
        ({"template": "nope", "initiative": "INITIATIVE"}, "template", "No template “nope”"),
        (
            {"template": VENDOR_EVALUATION, "initiative": "INITIATIVE"},
            "template",
            "applies to vendors",
        ),
        ({"template": SCORECARD, "vendor": "VENDOR"}, "template", "applies to initiatives"),
        ({"template": SCORECARD}, "non_field_errors", "exactly one initiative or one vendor"),
        (
            {"template": SCORECARD, "initiative": "INITIATIVE", "vendor": "VENDOR"},
            "non_field_errors",
            "exactly one initiative or one vendor",
        ),
        ({"template": SCORECARD, "initiative": 999999}, "initiative", "does not exist"),
        ({"template": SCORECARD, "initiative": "first"}, "initiative", "Incorrect type"),
        ({"template": SCORECARD, "vendor": 999999}, "vendor", "does not exist"),
        (
            {"template": SCORECARD, "initiative": "INITIATIVE", "answers": {"ownership": 4}},
            "answers",
            "Unknown or read-only field",
        ),
        (
            {"template": SCORECARD, "initiative": "INITIATIVE", "status": "submitted"},
            "status",
            "Unknown or read-only field",
        ),
        ({"template": ["x"], "initiative": "INITIATIVE"}, "template", "Not a valid string"),
    ],
)
def test_create_with_bad_input_is_400_naming_the_field(
    api, templates_loaded, initiative, vendor, body, field, message
):
    placeholders = {"INITIATIVE": initiative.pk, "VENDOR": vendor.pk}
    body = {
        key: placeholders.get(value, value) if isinstance(value, str) else value
        for key, value in body.items()
    }
    response = api.post(ASSESSMENTS, body, format="json")
    assert response.status_code == 400, response.data
    assert message in " ".join(str(m) for m in response.data[field])
    assert not Assessment.objects.exists()


def test_a_non_object_body_is_400(api, templates_loaded):
    assert api.post(ASSESSMENTS, [1, 2], format="json").status_code == 400


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def test_a_draft_shows_its_live_result(api, draft, product_owner):
    _fill(draft, product_owner, default=5, ownership=2, value_case=1)
    body = api.get(_url(draft)).data
    assert body["status"] == "draft"
    assert body["total"] == 83
    assert body["band"] == {
        "id": "strong",
        "label": "Strong readiness",
        "meaning": "Most areas are mostly ready or ready with confidence.",
    }
    assert body["recommended_action"] == "Proceed to controlled rollout"
    assert body["blocking_items"] == [
        {
            "item_id": "ownership",
            "score": 2,
            "minimum": 3,
            "reason": "Ownership scored 2; no use case may scale with it below 3",
        }
    ]
    assert body["items_needing_review"] == ["value_case"]
    assert body["missing_items"] == []
    assert body["complete"] is True
    assert body["first_failed_gate"] is None
    assert body["ready_to_scale"] is False
    assert body["verdict"] == "Only ready to discuss"
    assert body["revision"] == 2
    assert body["comments"]["ownership"] == "Gap owned by the delivery lead"


def test_a_checklist_draft_shows_its_first_failed_gate(
    api, templates_loaded, initiative, product_owner
):
    draft = assessment_create_draft(
        template_key="ai_feature_readiness", actor=product_owner, initiative=initiative
    )
    items = draft.template_version.parsed.item_ids
    assessment_save(
        assessment=draft,
        actor=product_owner,
        expected_revision=1,
        answers={items[0]: "yes", items[1]: "no"},
    )
    body = api.get(_url(draft)).data
    assert body["first_failed_gate"] == items[1]
    assert body["complete"] is True
    assert body["passed"] is False
    assert body["missing_items"] == []


def test_a_submitted_assessment_shows_its_frozen_result(api, initiative, product_owner, draft):
    submitted = submitted_scorecard(
        initiative, product_owner, scores(draft.template_version, 5, security_readiness=2)
    )
    # A newer template version renames the top band; the frozen result keeps the old name.
    document = load_shipped_templates()[SCORECARD].to_dict()
    document["rules"]["bands"][-1]["label"] = "Ready for rollout"
    template_version_load(definition=TemplateDefinition.from_dict(document))
    body = api.get(_url(submitted)).data
    assert body["status"] == "submitted"
    assert body["template_version"] == 1
    assert body["total"] == 87
    assert body["band"]["label"] == "Strong readiness"
    assert body["blocking_items"][0]["item_id"] == "security_readiness"
    assert body["ready_to_scale"] is False
    assert body["submitted_by"]["username"] == "owner"
    assert body["submitted_at"]
    frozen = Assessment.objects.get(pk=submitted.pk).result
    assert body["reasons"] == frozen["reasons"]
    # A draft on version 1 still evaluates on version 1.
    assert api.get(_url(draft)).data["template_version"] == 1


def test_unknown_assessment_is_404(api, templates_loaded):
    assert api.get(_url(999999)).status_code == 404
    assert api.patch(_url(999999), {"revision": 1}).status_code == 404
    assert api.post(_url(999999, "submit/"), {}).status_code == 404


# ---------------------------------------------------------------------------------------------
# Listing and filtering
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def assessments(templates_loaded, initiative, product_owner, council_member, vendor):
    """A superseded and a submitted scorecard, a draft, a guardrails draft, a vendor draft."""
    version = templates_loaded[SCORECARD]
    superseded = submitted_scorecard(initiative, product_owner, scores(version, 3))
    submitted = submitted_scorecard(initiative, product_owner, scores(version, 4))
    draft = assessment_create_draft(
        template_key=SCORECARD, actor=product_owner, initiative=initiative
    )
    guardrails = assessment_create_draft(
        template_key="use_case_guardrails", actor=product_owner, initiative=initiative
    )
    vendor_draft = assessment_create_draft(
        template_key=VENDOR_EVALUATION, actor=council_member, vendor=vendor
    )
    return {
        "superseded": superseded,
        "submitted": submitted,
        "draft": draft,
        "guardrails": guardrails,
        "vendor": vendor_draft,
    }


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


def test_list_shows_every_assessment_newest_first(api, assessments):
    response = api.get(ASSESSMENTS)
    assert response.data["count"] == 5
    ids = [row["id"] for row in response.data["results"]]
    assert ids == sorted(ids, reverse=True)
    superseded = next(r for r in response.data["results"] if r["status"] == "superseded")
    assert superseded["superseded_by"] == assessments["submitted"].pk
    assert superseded["total"] == 54


def test_list_filters(api, assessments, initiative, vendor):
    a = {name: obj.pk for name, obj in assessments.items()}
    assert _ids(api.get(ASSESSMENTS, {"initiative": initiative.pk})) == set(a.values()) - {
        a["vendor"]
    }
    assert _ids(api.get(ASSESSMENTS, {"vendor": vendor.pk})) == {a["vendor"]}
    assert _ids(api.get(ASSESSMENTS, {"template": SCORECARD})) == {
        a["superseded"],
        a["submitted"],
        a["draft"],
    }
    assert _ids(api.get(ASSESSMENTS, {"status": "draft"})) == {
        a["draft"],
        a["guardrails"],
        a["vendor"],
    }
    assert _ids(api.get(ASSESSMENTS, {"status": "submitted"})) == {a["submitted"]}
    assert _ids(api.get(ASSESSMENTS, {"status": "superseded"})) == {a["superseded"]}
    assert _ids(
        api.get(
            ASSESSMENTS, {"template": SCORECARD, "status": "draft", "initiative": initiative.pk}
        )
    ) == {a["draft"]}
    assert _ids(api.get(ASSESSMENTS, {"template": "nope"})) == set()
    assert _ids(api.get(ASSESSMENTS, {"initiative": 999999})) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "open"}, "status"),
        ({"initiative": "first"}, "initiative"),
        ({"initiative": "1.5"}, "initiative"),
        ({"vendor": "x"}, "vendor"),
    ],
)
def test_invalid_filters_are_400_naming_the_filter(api, assessments, params, field):
    response = api.get(ASSESSMENTS, params)
    assert response.status_code == 400
    assert field in response.data


def test_list_is_paginated(api, templates_loaded, initiative, product_owner):
    from tests.factories import InitiativeFactory

    for n in range(27):
        owned = InitiativeFactory(title=f"Paged {n:02d}", business_owner=product_owner)
        assessment_create_draft(template_key=SCORECARD, actor=product_owner, initiative=owned)
    first = api.get(ASSESSMENTS)
    assert first.data["count"] == 27
    assert len(first.data["results"]) == 25
    assert first.data["next"].endswith("page=2")
    assert len(api.get(ASSESSMENTS, {"page": 2}).data["results"]) == 2


# ---------------------------------------------------------------------------------------------
# Updating drafts
# ---------------------------------------------------------------------------------------------


def test_patch_merges_answers_evidence_and_comments(api, draft):
    first = api.patch(
        _url(draft), {"answers": {"ownership": 4, "value_case": 2}, "revision": 1}, format="json"
    )
    assert first.status_code == 200, first.data
    assert first.data["revision"] == 2
    assert first.data["total"] == 6
    second = api.patch(
        _url(draft),
        {
            "answers": {"value_case": None, "success_criteria": 5},
            "evidence": {"ownership": "Charter signed"},
            "comments": {"ownership": "Delivery owner named in March"},
            "revision": 2,
        },
        format="json",
    )
    assert second.status_code == 200, second.data
    body = second.data
    assert body["revision"] == 3
    assert body["answers"] == {"ownership": 4, "success_criteria": 5}
    assert body["evidence"] == {"ownership": "Charter signed"}
    assert body["comments"] == {"ownership": "Delivery owner named in March"}
    assert body["total"] == 9
    assert len(body["missing_items"]) == 16
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.answers == {"ownership": 4, "success_criteria": 5}


def test_patch_accepts_checklist_words(api, templates_loaded, initiative, product_owner):
    draft = assessment_create_draft(
        template_key="rollout_governance", actor=product_owner, initiative=initiative
    )
    items = draft.template_version.parsed.item_ids
    response = api.patch(
        _url(draft), {"answers": {items[0]: "ready", items[1]: "not_ready"}, "revision": 1}
    )
    assert response.status_code == 200, response.data
    assert response.data["passed"] is False


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"answers": {"ownership": 6}},
            {"answers": {"ownership": ["score must be between 1 and 5, got 6"]}},
        ),
        (
            {"answers": {"ownership": 0}},
            {"answers": {"ownership": ["score must be between 1 and 5, got 0"]}},
        ),
        (
            {"answers": {"ownership": "4"}},
            {"answers": {"ownership": ["score must be a whole number 1–5, got '4'"]}},
        ),
        (
            {"answers": {"ownership": 3.5}},
            {"answers": {"ownership": ["score must be a whole number 1–5, got 3.5"]}},
        ),
        (
            {"answers": {"ownership": True}},
            {"answers": {"ownership": ["score must be a whole number 1–5, got True"]}},
        ),
        (
            {"answers": {"ownership": {"score": 3}}},
            {"answers": {"ownership": ["score must be a whole number 1–5, got {'score': 3}"]}},
        ),
        (
            {"answers": {"colour": 3, "ownership": 9}},
            {
                "answers": {
                    "colour": ["not an item of template readiness_scorecard"],
                    "ownership": ["score must be between 1 and 5, got 9"],
                }
            },
        ),
        (
            {"evidence": {"ownership": 5}},
            {"evidence": {"ownership": ["evidence must be text"]}},
        ),
        (
            {"evidence": {"colour": "blue"}},
            {"evidence": {"colour": ["not an item of template readiness_scorecard"]}},
        ),
        (
            {"comments": {"ownership": "x" * 4001}},
            {"comments": {"ownership": ["comment is longer than 4000 characters"]}},
        ),
        (
            {"comments": {"ownership": ["a list"]}},
            {"comments": {"ownership": ["comment must be text"]}},
        ),
    ],
)
def test_patch_with_invalid_items_is_400_naming_each_item_and_why(api, draft, body, expected):
    response = api.patch(_url(draft), {**body, "revision": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == expected
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.revision == 1 and stored.answers == {} and stored.evidence == {}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"answers": {"ownership": 3}}, "revision", "This field is required."),
        ({"answers": {"ownership": 3}, "revision": "one"}, "revision", "valid integer"),
        ({"answers": {"ownership": 3}, "revision": 0}, "revision", "greater than or equal to 1"),
        ({"answers": [3], "revision": 1}, "answers", "Expected a dictionary"),
        ({"evidence": "all good", "revision": 1}, "evidence", "Expected a dictionary"),
        ({"status": "submitted", "revision": 1}, "status", "Unknown or read-only field"),
        ({"total": 90, "revision": 1}, "total", "Unknown or read-only field"),
        ({"template": "before_poc", "revision": 1}, "template", "Unknown or read-only field"),
    ],
)
def test_patch_with_a_bad_shape_is_400_naming_the_field(api, draft, body, field, message):
    response = api.patch(_url(draft), body, format="json")
    assert response.status_code == 400
    assert message in " ".join(str(m) for m in response.data[field])
    assert Assessment.objects.get(pk=draft.pk).revision == 1


def test_patch_with_a_stale_revision_is_409_with_the_current_draft(api, draft, governance_admin):
    api_client(governance_admin).patch(
        _url(draft), {"answers": {"ownership": 5}, "revision": 1}, format="json"
    )
    response = api.patch(
        _url(draft), {"answers": {"ownership": 2, "value_case": 3}, "revision": 1}, format="json"
    )
    assert response.status_code == 409
    assert "Someone else saved this draft" in response.data["detail"]
    current = response.data["current"]
    assert current["answers"] == {"ownership": 5}
    assert current["revision"] == 2
    assert current["updated_by"] == str(governance_admin)
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.answers == {"ownership": 5} and stored.revision == 2


def test_a_submitted_assessment_cannot_be_patched(api, initiative, product_owner, draft):
    submitted = submitted_scorecard(initiative, product_owner, scores(draft.template_version, 4))
    response = api.patch(
        _url(submitted), {"answers": {"ownership": 1}, "revision": submitted.revision}
    )
    assert response.status_code == 400
    assert response.data == {
        "non_field_errors": ["This assessment is submitted and can no longer change."]
    }
    assert Assessment.objects.get(pk=submitted.pk).answers["ownership"] == 4


@pytest.mark.parametrize("method", ["put", "delete"])
def test_put_and_delete_are_not_allowed(api, draft, method):
    response = getattr(api, method)(_url(draft), {"answers": {}, "revision": 1}, format="json")
    assert response.status_code == 405
    assert Assessment.objects.filter(pk=draft.pk).exists()


# ---------------------------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------------------------


def test_submit_freezes_the_result(api, draft, product_owner):
    draft = _fill(draft, product_owner, default=5)
    response = api.post(_url(draft, "submit/"), {"revision": draft.revision}, format="json")
    assert response.status_code == 200, response.data
    body = response.data
    assert body["status"] == "submitted"
    assert body["total"] == 90
    assert body["band"]["id"] == "strong"
    assert body["ready_to_scale"] is True
    assert body["verdict"] == "Ready to scale"
    assert body["submitted_by"]["username"] == "owner"
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.status == AssessmentStatus.SUBMITTED
    expected = evaluate(stored.template_version.parsed, stored.answers).as_dict()
    assert stored.result == json.loads(json.dumps(expected))
    assert (stored.total, stored.band, stored.ready_to_scale) == (90, "strong", True)


def test_submit_without_a_revision_is_accepted(api, draft, product_owner):
    _fill(draft, product_owner)
    assert api.post(_url(draft, "submit/")).status_code == 200


def test_submitting_an_incomplete_draft_names_each_missing_item(api, draft, product_owner):
    assessment_save(
        assessment=draft, actor=product_owner, expected_revision=1, answers={"ownership": 4}
    )
    response = api.post(_url(draft, "submit/"), {}, format="json")
    assert response.status_code == 400
    missing = response.json()["answers"]
    assert len(missing) == 17
    assert "ownership" not in missing
    assert missing["problem_clarity"] == ["Answer this item before submitting."]
    assert Assessment.objects.get(pk=draft.pk).status == "draft"


def test_submitting_low_scores_without_comments_names_each_item(api, draft, product_owner):
    assessment_save(
        assessment=draft,
        actor=product_owner,
        expected_revision=1,
        answers=scores(draft.template_version, 4, ownership=1, value_case=2),
        comments={"value_case": "Benefit not yet quantified; finance reviews in May"},
    )
    response = api.post(_url(draft, "submit/"), {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "comments": {
            "ownership": ["A score of 1 needs a comment saying what is missing and who closes it."]
        }
    }


def test_submit_errors_separate_missing_answers_from_missing_comments(api, draft, product_owner):
    assessment_save(
        assessment=draft,
        actor=product_owner,
        expected_revision=1,
        answers={"ownership": 2},
    )
    body = api.post(_url(draft, "submit/"), {}, format="json").json()
    assert set(body) == {"answers", "comments"}
    assert list(body["comments"]) == ["ownership"]
    assert len(body["answers"]) == 17


def test_submit_with_a_stale_revision_is_409(api, draft, product_owner, governance_admin):
    draft = _fill(draft, product_owner)
    api_client(governance_admin).patch(
        _url(draft), {"answers": {"ownership": 3}, "revision": draft.revision}, format="json"
    )
    response = api.post(_url(draft, "submit/"), {"revision": draft.revision}, format="json")
    assert response.status_code == 409
    assert response.data["current"]["answers"]["ownership"] == 3
    assert Assessment.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"revision": "x"}, "revision"), ({"answers": {"ownership": 3}}, "answers")],
)
def test_submit_with_a_bad_shape_is_400(api, draft, product_owner, body, field):
    _fill(draft, product_owner)
    response = api.post(_url(draft, "submit/"), body, format="json")
    assert response.status_code == 400
    assert field in response.data


def test_a_second_submission_supersedes_the_first(api, templates_loaded, initiative):
    ids = []
    for default in (3, 5):
        created = api.post(ASSESSMENTS, {"template": SCORECARD, "initiative": initiative.pk})
        ids.append(created.data["id"])
        answers = dict.fromkeys(templates_loaded[SCORECARD].parsed.item_ids, default)
        api.patch(_url(ids[-1]), {"answers": answers, "revision": 1}, format="json")
        assert api.post(_url(ids[-1], "submit/"), {}).status_code == 200
    first = api.get(_url(ids[0])).data
    assert first["status"] == "superseded"
    assert first["superseded_by"] == ids[1]
    assert first["total"] == 54
    assert api.get(_url(ids[1])).data["status"] == "submitted"
    again = api.post(_url(ids[1], "submit/"), {})
    assert again.status_code == 400
    assert again.data == {"non_field_errors": ["This assessment is already submitted."]}


# ---------------------------------------------------------------------------------------------
# Authentication and permissions
# ---------------------------------------------------------------------------------------------


def test_token_authentication_works_and_anonymous_gets_401(
    product_owner, templates_loaded, initiative
):
    client = APIClient()
    anonymous = client.get(ASSESSMENTS)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    token = Token.objects.create(user=product_owner)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    created = client.post(ASSESSMENTS, {"template": SCORECARD, "initiative": initiative.pk})
    assert created.status_code == 201
    assert client.get(ASSESSMENTS).data["count"] == 1
    assert client.get(f"{TEMPLATES}{SCORECARD}/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get(ASSESSMENTS).status_code == 401


def test_session_authentication_needs_the_csrf_token_for_writes(
    product_owner, templates_loaded, initiative
):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(product_owner)
    assert client.get(ASSESSMENTS).status_code == 200
    response = client.post(ASSESSMENTS, {"template": SCORECARD, "initiative": initiative.pk})
    assert response.status_code == 403
    assert "CSRF" in str(response.data["detail"])


# Who gets the success status of a request; other Gatehouse roles get 403, a user without a
# role 403, an anonymous caller 401.
INITIATIVE_WRITERS = frozenset({"owner", "governance_admin"})
VENDOR_WRITERS = frozenset({"council_member", "governance_admin"})


@pytest.fixture
def world(templates_loaded, initiative, vendor, product_owner, council_member):
    """One complete initiative draft, one complete vendor draft, one submitted scorecard."""
    initiative_draft = _fill(
        assessment_create_draft(template_key=SCORECARD, actor=product_owner, initiative=initiative),
        product_owner,
    )
    vendor_draft = assessment_create_draft(
        template_key=VENDOR_EVALUATION, actor=council_member, vendor=vendor
    )
    vendor_answers = dict.fromkeys(vendor_draft.template_version.parsed.item_ids, "ready")
    vendor_draft = assessment_save(
        assessment=vendor_draft, actor=council_member, expected_revision=1, answers=vendor_answers
    )
    other = Initiative.objects.create(
        title="Claims summaries",
        business_unit=BusinessUnitFactory(name="Claims"),
        business_owner=product_owner,
        value_category="speed",
    )
    submitted = submitted_scorecard(other, product_owner, scores(templates_loaded[SCORECARD], 4))
    return {
        "initiative": initiative,
        "vendor": vendor,
        "initiative_draft": initiative_draft,
        "vendor_draft": vendor_draft,
        "submitted": submitted,
    }


# name: (method, url, body, who succeeds, the success status, everyone else's status)
@dataclass(frozen=True)
class Case:
    """One request of the permission table; `body` and `url` are built from the `world`."""

    method: str
    url: Callable[[dict[str, Any]], str]
    body: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    allowed: frozenset[str] = READERS
    success: int = 200


def _draft_url(name: str, suffix: str = "") -> Callable[[dict[str, Any]], str]:
    return lambda w: _url(w[name], suffix)


PERMISSION_TABLE: dict[str, Case] = {
    "list templates": Case("get", lambda w: TEMPLATES),
    "retrieve template": Case("get", lambda w: f"{TEMPLATES}{SCORECARD}/"),
    "retrieve template version": Case("get", lambda w: f"{TEMPLATES}{SCORECARD}/versions/1/"),
    "create template": Case("post", lambda w: TEMPLATES, lambda w: {}, success=405),
    "list assessments": Case("get", lambda w: ASSESSMENTS),
    "filter assessments": Case("get", lambda w: f"{ASSESSMENTS}?status=draft&template=x"),
    "retrieve initiative draft": Case("get", _draft_url("initiative_draft")),
    "retrieve vendor draft": Case("get", _draft_url("vendor_draft")),
    "retrieve submitted": Case("get", _draft_url("submitted")),
    "create initiative draft": Case(
        "post",
        lambda w: ASSESSMENTS,
        lambda w: {"template": SCORECARD, "initiative": w["initiative"].pk},
        INITIATIVE_WRITERS,
        201,
    ),
    "create vendor draft": Case(
        "post",
        lambda w: ASSESSMENTS,
        lambda w: {"template": VENDOR_EVALUATION, "vendor": w["vendor"].pk},
        VENDOR_WRITERS,
        201,
    ),
    "update initiative draft": Case(
        "patch",
        _draft_url("initiative_draft"),
        lambda w: {"answers": {"ownership": 5}, "revision": w["initiative_draft"].revision},
        INITIATIVE_WRITERS,
    ),
    "update vendor draft": Case(
        "patch",
        _draft_url("vendor_draft"),
        lambda w: {"evidence": {"use_case_fit": "Pilot"}, "revision": w["vendor_draft"].revision},
        VENDOR_WRITERS,
    ),
    # Owners reach the immutability check (400); everyone else is refused first (403).
    "update submitted": Case(
        "patch",
        _draft_url("submitted"),
        lambda w: {"answers": {"ownership": 5}, "revision": w["submitted"].revision},
        INITIATIVE_WRITERS,
        400,
    ),
    "submit initiative draft": Case(
        "post",
        _draft_url("initiative_draft", "submit/"),
        lambda w: {"revision": w["initiative_draft"].revision},
        INITIATIVE_WRITERS,
    ),
    "submit vendor draft": Case(
        "post", _draft_url("vendor_draft", "submit/"), lambda w: {}, VENDOR_WRITERS
    ),
    "replace initiative draft": Case(
        "put", _draft_url("initiative_draft"), lambda w: {}, success=405
    ),
    "delete initiative draft": Case("delete", _draft_url("initiative_draft"), success=405),
    "delete submitted": Case("delete", _draft_url("submitted"), success=405),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PERMISSION_TABLE))
def test_permission_table(world, users_by_role, name, role):
    case = PERMISSION_TABLE[name]
    client = api_client(users_by_role.get(role))
    before = list(Assessment.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    request = getattr(client, case.method)
    if case.body is None:
        response = request(case.url(world))
    else:
        response = request(case.url(world), case.body(world), format="json")
    expected = expected_status(role, case.allowed, case.success, api=True)
    assert response.status_code == expected, (name, role, response.data)
    if expected >= 400:
        # A refused request changes nothing and is not audited as a change.
        assert list(Assessment.objects.order_by("pk").values()) == before
        assert AuditEvent.objects.count() == events


def test_refusals_say_who_may_act(world, executive, product_owner):
    response = api_client(executive).patch(
        _url(world["initiative_draft"]), {"revision": 1, "answers": {}}, format="json"
    )
    assert response.status_code == 403
    assert response.data["detail"] == INITIATIVE_ASSESSMENT_DENIED_MESSAGE
    response = api_client(product_owner).post(_url(world["vendor_draft"], "submit/"), {})
    assert response.status_code == 403
    assert response.data["detail"] == VENDOR_ASSESSMENT_DENIED_MESSAGE
    response = api_client(UserFactory(username="nobody")).get(ASSESSMENTS)
    assert response.status_code == 403
    assert "no Gatehouse role" in str(response.data["detail"])


def test_a_delivery_owner_may_fill_the_initiative_assessment(
    templates_loaded, initiative, other_product_owner
):
    initiative.delivery_owner = other_product_owner
    initiative.save()
    response = api_client(other_product_owner).post(
        ASSESSMENTS, {"template": SCORECARD, "initiative": initiative.pk}
    )
    assert response.status_code == 201


# ---------------------------------------------------------------------------------------------
# Query counts
# ---------------------------------------------------------------------------------------------

# Session, user, groups (roles), count, the page of assessments with template, initiative and
# users joined, and the template versions they are on (prefetched once, not per row).
API_LIST_QUERY_BUDGET = 6
API_DETAIL_QUERY_BUDGET = 5


def _portfolio_with_assessments(size: int, actor, version, vendor_version) -> list[Assessment]:
    """`size` initiatives, each with a superseded and a submitted scorecard and a draft, made in
    a few bulk inserts; plus vendor evaluations on the vendor template."""
    unit = BusinessUnitFactory(name="Operations")
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            title=f"Initiative {n:04d}",
            business_unit=unit,
            business_owner=actor,
            value_category="speed",
        )
        for n in range(size)
    )
    template = version.template
    frozen = {
        default: json.loads(
            json.dumps(evaluate(version.parsed, scores(version, default)).as_dict())
        )
        for default in (3, 4)
    }
    rows = []
    for initiative in initiatives:
        for default, status in ((3, "superseded"), (4, "submitted")):
            rows.append(
                Assessment(
                    template=template,
                    template_version=version,
                    initiative=initiative,
                    status=status,
                    answers=scores(version, default),
                    total=frozen[default]["total"],
                    band=frozen[default]["band"]["id"],
                    result=frozen[default],
                    created_by=actor,
                    submitted_by=actor,
                )
            )
        rows.append(
            Assessment(
                template=template,
                template_version=version,
                initiative=initiative,
                answers={"ownership": 4, "value_case": 2},
                created_by=actor,
            )
        )
    vendors = [VendorFactory(name=f"Vendor {n}") for n in range(3)]
    rows.extend(
        Assessment(
            template=vendor_version.template,
            template_version=vendor_version,
            vendor=vendor,
            answers={"use_case_fit": "ready"},
            created_by=actor,
        )
        for vendor in vendors
    )
    return Assessment.objects.bulk_create(rows)


@pytest.mark.parametrize("size", [5, 200])
def test_assessment_list_query_count_is_constant(
    client, executive, product_owner, templates_loaded, django_assert_max_num_queries, size
):
    _portfolio_with_assessments(
        size, product_owner, templates_loaded[SCORECARD], templates_loaded[VENDOR_EVALUATION]
    )
    client.force_login(executive)
    with django_assert_max_num_queries(API_LIST_QUERY_BUDGET):
        response = client.get(ASSESSMENTS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == size * 3 + 3
    assert len(body["results"]) == min(size * 3 + 3, 25)
    with django_assert_max_num_queries(API_LIST_QUERY_BUDGET):
        response = client.get(ASSESSMENTS, {"template": SCORECARD, "status": "submitted"})
    assert response.json()["count"] == size
    assert {row["band"]["id"] for row in response.json()["results"]} == {"moderate"}


@pytest.mark.parametrize("size", [5, 200])
def test_assessment_detail_query_count_is_constant(
    client, executive, product_owner, templates_loaded, django_assert_max_num_queries, size
):
    rows = _portfolio_with_assessments(
        size, product_owner, templates_loaded[SCORECARD], templates_loaded[VENDOR_EVALUATION]
    )
    client.force_login(executive)
    for assessment in (rows[-4], rows[-5]):  # a draft and a submitted scorecard
        with django_assert_max_num_queries(API_DETAIL_QUERY_BUDGET):
            response = client.get(_url(assessment))
        assert response.status_code == 200


# ---------------------------------------------------------------------------------------------
# OpenAPI
# ---------------------------------------------------------------------------------------------


def test_the_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    GENERATOR_STATS.reset()  # warnings from earlier tests in this process are not ours
    out, err = StringIO(), StringIO()
    schema = tmp_path / "schema.yml"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(schema),
        stdout=out,
        stderr=err,
    )
    text = schema.read_text()
    for path in (
        "/api/v1/assessment-templates/:",
        "/api/v1/assessment-templates/{key}/:",
        "/api/v1/assessment-templates/{key}/versions/{number}/:",
        "/api/v1/assessments/:",
        "/api/v1/assessments/{id}/:",
        "/api/v1/assessments/{id}/submit/:",
    ):
        assert path in text
    assert "Warning" not in err.getvalue()


def test_the_served_schema_lists_the_readiness_api(client, executive):
    client.force_login(executive)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/assessments/{id}/submit/" in response.content
