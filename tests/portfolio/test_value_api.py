"""/api/v1/kpis/: every method for every role, versions, measurements and all-or-nothing imports."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from portfolio.models import Kpi, KpiMeasurement
from portfolio.value.services import kpi_set, measurement_record
from tests.factories import InitiativeFactory
from tests.portfolio.support import TRIAGE_KPI
from tests.roles import READERS, ROLES, api_client, expected_status

pytestmark = pytest.mark.django_db

EDITORS = {"owner", "governance_admin"}

KPI_JSON = {**TRIAGE_KPI, "baseline": "14", "target": "9", "error_budget": "1"}


def _kpis(c):  # noqa: ANN001, ANN202
    return f"/api/v1/kpis/{c['kpi'].pk}/"


CASES = [
    ("list", "get", lambda c: "/api/v1/kpis/", None, READERS, 200),
    ("detail", "get", _kpis, None, READERS, 200),
    (
        "create",
        "post",
        lambda c: "/api/v1/kpis/",
        lambda c: {**KPI_JSON, "initiative": c["second"].pk},
        EDITORS,
        201,
    ),
    ("update", "patch", _kpis, lambda c: {"target": "8", "version": 1}, EDITORS, 200),
    (
        "replace",
        "put",
        _kpis,
        lambda c: {**KPI_JSON, "initiative": c["initiative"].pk},
        EDITORS,
        200,
    ),
    ("measurements", "get", lambda c: _kpis(c) + "measurements/", None, READERS, 200),
    (
        "measurement add",
        "post",
        lambda c: _kpis(c) + "measurements/",
        lambda c: {"measured_on": "2026-11-30", "value": "11"},
        EDITORS,
        201,
    ),
    (
        "import",
        "post",
        lambda c: _kpis(c) + "measurements/import/",
        lambda c: "measured_on,value\n2026-08-31,13\n",
        EDITORS,
        201,
    ),
]


@pytest.fixture
def ctx(users_by_role, initiative, product_owner):
    kpi = kpi_set(initiative=initiative, actor=product_owner, data=TRIAGE_KPI, expected_version=0)
    measurement_record(
        kpi=kpi, actor=product_owner, measured_on=datetime.date(2026, 7, 31), value=Decimal("14")
    )
    second = InitiativeFactory(business_owner=product_owner, business_unit=initiative.business_unit)
    return {**users_by_role, "initiative": initiative, "kpi": kpi, "second": second}


def _call(client, method, url, payload):  # noqa: ANN001, ANN202
    if isinstance(payload, str):
        return client.post(url, payload.encode(), content_type="text/csv")
    return getattr(client, method)(url, payload, format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "allowed", "success"), CASES, ids=[c[0] for c in CASES]
)
def test_kpi_api_permissions(ctx, role, name, method, url, data, allowed, success):
    client = api_client(ctx.get(role))
    response = _call(client, method, url(ctx), data(ctx) if data else None)
    expected = expected_status(role, allowed, success, api=True)
    assert response.status_code == expected, (
        f"{role} {name}: {response.status_code} {getattr(response, 'data', '')}"
    )
    if expected in (401, 403):
        assert Kpi.objects.count() == 1
        assert Kpi.objects.get().version == 1
        assert KpiMeasurement.objects.count() == 1


@pytest.fixture
def owner_client(ctx):
    client = APIClient()
    client.force_authenticate(ctx["owner"])
    return client


def test_kpi_carries_its_computed_status(ctx, owner_client):
    data = owner_client.get(_kpis(ctx)).json()
    assert data["status"]["latest"] == "14.0000"
    assert data["status"]["progress_pct"] == "0.0"
    assert data["status"]["reason"]
    assert data["version"] == 1


def test_list_filters_by_initiative(ctx, owner_client, product_owner):
    kpi_set(initiative=ctx["second"], actor=product_owner, data=TRIAGE_KPI, expected_version=0)
    everything = owner_client.get("/api/v1/kpis/").json()
    assert everything["count"] == 2
    filtered = owner_client.get("/api/v1/kpis/", {"initiative": ctx["initiative"].pk}).json()
    assert [row["initiative"] for row in filtered["results"]] == [ctx["initiative"].pk]


def test_status_is_read_only(ctx, owner_client):
    response = owner_client.patch(_kpis(ctx), {"status": {"on_track": True}}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


def test_update_on_an_old_version_is_409(ctx, owner_client):
    assert owner_client.patch(_kpis(ctx), {"target": "8", "version": 1}).status_code == 200
    response = owner_client.patch(_kpis(ctx), {"target": "7", "version": 1})
    assert response.status_code == 409
    assert response.json()["current"]["target"] == "8.0000"


def test_a_second_kpi_for_an_initiative_is_400(ctx, owner_client):
    response = owner_client.post(
        "/api/v1/kpis/", {**KPI_JSON, "initiative": ctx["initiative"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "initiative" in response.json()


def test_a_target_on_the_wrong_side_is_400_naming_the_field(ctx, owner_client):
    response = owner_client.patch(_kpis(ctx), {"target": "20", "version": 1})
    assert response.status_code == 400
    assert "target" in response.json()


def test_a_kpi_cannot_move_to_another_initiative(ctx, owner_client):
    response = owner_client.patch(_kpis(ctx), {"initiative": ctx["second"].pk})
    assert response.status_code == 400


def test_measurement_posted_through_the_api_is_marked_api(ctx, owner_client):
    response = owner_client.post(
        _kpis(ctx) + "measurements/", {"measured_on": "2026-08-31", "value": "12.5"}
    )
    assert response.status_code == 201
    assert response.json()["source"] == "api"
    assert response.json()["recorded_by"] == "owner"


def test_a_duplicate_measurement_is_400_on_measured_on(ctx, owner_client):
    response = owner_client.post(
        _kpis(ctx) + "measurements/", {"measured_on": "2026-07-31", "value": "12"}
    )
    assert response.status_code == 400
    assert "measured_on" in response.json()


def test_measurement_list_is_oldest_first(ctx, owner_client):
    owner_client.post(_kpis(ctx) + "measurements/", {"measured_on": "2026-06-30", "value": "15"})
    rows = owner_client.get(_kpis(ctx) + "measurements/").json()["results"]
    assert [row["measured_on"] for row in rows] == ["2026-06-30", "2026-07-31"]


def test_import_with_errors_is_400_row_by_row_and_imports_nothing(ctx, owner_client):
    body = "measured_on,value\n2026-08-31,13\n2026-09-31,12\n2026-10-31,x\n2026-07-31,1\n"
    response = owner_client.post(
        _kpis(ctx) + "measurements/import/", body.encode(), content_type="text/csv"
    )
    assert response.status_code == 400
    assert [(e["line"], e["column"]) for e in response.json()["errors"]] == [
        (3, "measured_on"),
        (4, "value"),
        (5, "measured_on"),
    ]
    assert KpiMeasurement.objects.count() == 1


def test_import_as_a_multipart_file_with_replace(ctx, owner_client):
    upload = SimpleUploadedFile("m.csv", b"measured_on,value\n2026-07-31,13\n2026-08-31,12\n")
    response = owner_client.post(
        _kpis(ctx) + "measurements/import/", {"file": upload, "replace": "true"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["imported"] == 2
    assert dict(KpiMeasurement.objects.values_list("measured_on", "value")) == {
        datetime.date(2026, 7, 31): Decimal("13"),
        datetime.date(2026, 8, 31): Decimal("12"),
    }


def test_import_with_replace_as_a_query_parameter(ctx, owner_client):
    response = owner_client.post(
        _kpis(ctx) + "measurements/import/?replace=1",
        b"measured_on,value\n2026-07-31,13\n",
        content_type="text/csv",
    )
    assert response.status_code == 201
    assert KpiMeasurement.objects.get().value == Decimal("13")


def test_import_without_a_file_is_400(ctx, owner_client):
    response = owner_client.post(_kpis(ctx) + "measurements/import/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_import_as_json_is_415(ctx, owner_client):
    response = owner_client.post(_kpis(ctx) + "measurements/import/", {"a": 1}, format="json")
    assert response.status_code == 415


# Roles, count, page of KPIs joined to their initiatives, their measurements.
API_LIST_QUERY_BUDGET = 4


@pytest.mark.parametrize("size", [5, 200])
def test_kpi_list_query_count_is_constant(
    ctx, owner_client, product_owner, django_assert_max_num_queries, size
):
    for n in range(size):
        initiative = InitiativeFactory(business_owner=product_owner)
        kpi = kpi_set(
            initiative=initiative, actor=product_owner, data=TRIAGE_KPI, expected_version=0
        )
        KpiMeasurement.objects.create(
            kpi=kpi, measured_on=datetime.date(2026, 8, 1), value=Decimal(13 - n % 3)
        )
    with django_assert_max_num_queries(API_LIST_QUERY_BUDGET):
        response = owner_client.get("/api/v1/kpis/")
    assert len(response.json()["results"]) == min(size + 1, 25)
