"""The value page: who may see and change what, the forms, the CSV error report, the sparkline,
and a constant number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portfolio.models import Kpi, KpiMeasurement
from portfolio.value.services import adoption_set, kpi_set, measurement_record
from portfolio.value.views import MEASUREMENTS_PER_PAGE, sparkline_geometry
from tests.factories import InitiativeFactory
from tests.portfolio.support import DETAIL_QUERY_BUDGET, TRIAGE_KPI
from tests.roles import READERS, ROLES, expected_status, signed_in

pytestmark = pytest.mark.django_db

EDITORS = {"owner", "governance_admin"}


def _kpi_payload(c, u):  # noqa: ANN001, ANN202
    return {**TRIAGE_KPI, "target": "8", "version": 1}


def _measurement_payload(c, u):  # noqa: ANN001, ANN202
    return {"measured_on": "2026-11-30", "value": "11.5", "note": "November"}


def _upload_payload(c, u):  # noqa: ANN001, ANN202
    return {
        "file": SimpleUploadedFile(
            "m.csv", b"measured_on,value\n2026-08-31,13\n", content_type="text/csv"
        )
    }


def _adoption_payload(c, u):  # noqa: ANN001, ANN202
    return {"active_users": "30", "target_users": "200"}


def _url(name):  # noqa: ANN001, ANN202
    return lambda c: reverse(f"portfolio:{name}", args=[c["initiative"].pk])


CASES = [
    ("value page", "get", _url("initiative_value"), None, READERS, 200),
    ("kpi save", "post", _url("initiative_value_kpi"), _kpi_payload, EDITORS, 302),
    (
        "measurement",
        "post",
        _url("initiative_value_measurement"),
        _measurement_payload,
        EDITORS,
        302,
    ),
    ("import", "post", _url("initiative_value_import"), _upload_payload, EDITORS, 302),
    ("adoption", "post", _url("initiative_value_adoption"), _adoption_payload, EDITORS, 302),
]


@pytest.fixture
def ctx(users_by_role, initiative, product_owner):
    kpi = kpi_set(initiative=initiative, actor=product_owner, data=TRIAGE_KPI, expected_version=0)
    measurement_record(
        kpi=kpi, actor=product_owner, measured_on=datetime.date(2026, 7, 31), value=Decimal("14")
    )
    return {**users_by_role, "initiative": initiative, "kpi": kpi}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "allowed", "success"), CASES, ids=[c[0] for c in CASES]
)
def test_value_page_permissions(client, ctx, role, name, method, url, data, allowed, success):
    user = ctx.get(role)
    signed_in(client, user)
    payload = data(ctx, user) if data else None
    response = getattr(client, method)(url(ctx), payload) if payload else client.get(url(ctx))
    expected = expected_status(role, allowed, success, api=False)
    assert response.status_code == expected, f"{role} {name}: {response.status_code}"
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if expected == 403 and method == "post":
        assert KpiMeasurement.objects.count() == 1
        assert Kpi.objects.get().version == 1


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_are_not_allowed(client, ctx, method):
    client.force_login(ctx["owner"])
    response = getattr(client, method)(
        reverse("portfolio:initiative_value", args=[ctx["initiative"].pk])
    )
    assert response.status_code == 405


def test_unknown_initiative_is_404(client, executive):
    client.force_login(executive)
    assert client.get(reverse("portfolio:initiative_value", args=[999999])).status_code == 404


def test_readers_see_status_but_no_forms(client, ctx):
    client.force_login(ctx["executive"])
    response = client.get(reverse("portfolio:initiative_value", args=[ctx["initiative"].pk]))
    text = response.text
    assert "Median first-response time" in text
    assert "On track" in text or "Off track" in text
    assert "Save KPI" not in text
    assert "Record measurement" not in text
    assert '<title id="sparkline-title">' in text


def test_owner_sees_every_form(client, ctx):
    client.force_login(ctx["owner"])
    text = client.get(reverse("portfolio:initiative_value", args=[ctx["initiative"].pk])).text
    for label in ("Save KPI", "Record measurement", "Upload", "Save adoption"):
        assert label in text
    # A date input only shows an ISO value, whatever the display locale.
    assert 'name="target_date" value="2026-12-31"' in text


def test_owner_defines_a_kpi_in_the_browser(client, product_owner):
    initiative = InitiativeFactory(business_owner=product_owner)
    client.force_login(product_owner)
    url = reverse("portfolio:initiative_value_kpi", args=[initiative.pk])
    response = client.post(url, {**TRIAGE_KPI, "version": 0})
    assert response.status_code == 302
    assert Kpi.objects.get(initiative=initiative).target == Decimal("9")


def test_a_bad_kpi_shows_the_field_error_and_saves_nothing(client, ctx):
    client.force_login(ctx["owner"])
    url = reverse("portfolio:initiative_value_kpi", args=[ctx["initiative"].pk])
    response = client.post(url, {**TRIAGE_KPI, "target": "20", "version": 1})
    assert response.status_code == 200
    assert "lower is better the target must be below the baseline" in response.text
    assert Kpi.objects.get().target == Decimal("9")


def test_a_stale_kpi_form_is_a_409_conflict(client, ctx):
    kpi_set(
        initiative=ctx["initiative"],
        actor=ctx["governance_admin"],
        data={"target": Decimal("10")},
        expected_version=1,
    )
    client.force_login(ctx["owner"])
    url = reverse("portfolio:initiative_value_kpi", args=[ctx["initiative"].pk])
    response = client.post(url, {**TRIAGE_KPI, "target": "8", "version": 1})
    assert response.status_code == 409
    assert "someone else changed this KPI first" in response.text
    assert Kpi.objects.get().target == Decimal("10")


def test_a_duplicate_measurement_date_is_a_field_error(client, ctx):
    client.force_login(ctx["owner"])
    url = reverse("portfolio:initiative_value_measurement", args=[ctx["initiative"].pk])
    response = client.post(url, {"measured_on": "2026-07-31", "value": "1"})
    assert response.status_code == 200
    assert "There is already a measurement for 31 Jul 2026" in response.text


def test_measurements_need_a_kpi_first(client, product_owner):
    initiative = InitiativeFactory(business_owner=product_owner)
    client.force_login(product_owner)
    url = reverse("portfolio:initiative_value_measurement", args=[initiative.pk])
    response = client.post(url, {"measured_on": "2026-07-31", "value": "1"})
    assert response.status_code == 200
    assert "Define the KPI before recording measurements" in response.text


def test_a_bad_upload_shows_every_row_error_and_imports_nothing(client, ctx):
    client.force_login(ctx["owner"])
    url = reverse("portfolio:initiative_value_import", args=[ctx["initiative"].pk])
    body = b"measured_on,value\n2026-08-31,13\n31/09/2026,12\n2026-10-31,twelve\n2026-07-31,9\n"
    response = client.post(url, {"file": SimpleUploadedFile("m.csv", body)})
    assert response.status_code == 200
    text = response.text
    assert "Nothing was imported: 3 problems in the file" in text
    assert "<td>3</td><td>measured_on</td>" in text
    assert "<td>4</td><td>value</td>" in text
    assert "<td>5</td><td>measured_on</td>" in text  # 31 Jul is already measured
    assert KpiMeasurement.objects.count() == 1


def test_an_upload_with_replace_overwrites(client, ctx):
    client.force_login(ctx["owner"])
    url = reverse("portfolio:initiative_value_import", args=[ctx["initiative"].pk])
    body = b"measured_on,value\n2026-07-31,13.5\n"
    response = client.post(url, {"file": SimpleUploadedFile("m.csv", body), "replace": "on"})
    assert response.status_code == 302
    assert KpiMeasurement.objects.get().value == Decimal("13.5")


def test_a_non_utf8_upload_is_a_form_error(client, ctx):
    client.force_login(ctx["owner"])
    url = reverse("portfolio:initiative_value_import", args=[ctx["initiative"].pk])
    response = client.post(url, {"file": SimpleUploadedFile("m.csv", "é".encode("latin-1"))})
    assert "not UTF-8" in response.text


def test_adoption_and_cost_per_unit_are_shown(client, ctx):
    initiative = ctx["initiative"]
    initiative.monthly_run_cost = Decimal("4000")
    initiative.save()
    adoption_set(initiative=initiative, actor=ctx["owner"], active_users=24, target_users=200)
    measurement_record(
        kpi=ctx["kpi"],
        actor=ctx["owner"],
        measured_on=datetime.date(2026, 9, 30),
        value=Decimal("12"),
    )
    client.force_login(ctx["auditor"])
    text = client.get(reverse("portfolio:initiative_value", args=[initiative.pk])).text
    assert "12%" in text
    # 14 → 12 hours is 2 hours of improvement: €4,000 / 2 = €2,000 per hour.
    assert "€2,000.00 of monthly run cost per hours of improvement" in text


def test_initiative_page_shows_the_value_section(client, ctx):
    client.force_login(ctx["council_member"])
    text = client.get(ctx["initiative"].get_absolute_url()).text
    assert 'id="value-heading"' in text
    assert "Median first-response time" in text
    assert reverse("portfolio:initiative_value", args=[ctx["initiative"].pk]) in text


def test_initiative_page_without_a_kpi_says_so(client, initiative, executive):
    client.force_login(executive)
    assert "No KPI defined yet." in client.get(initiative.get_absolute_url()).text


def test_sparkline_geometry_spans_the_box_and_includes_the_target():
    line = sparkline_geometry(
        [
            (datetime.date(2026, 1, 1), Decimal("14")),
            (datetime.date(2026, 1, 11), Decimal("12")),
            (datetime.date(2026, 1, 31), Decimal("10")),
        ],
        target=Decimal("9"),
        width=104,
        height=24,
    )
    # x from 4 to 100 in proportion to days (0, 10, 30 of 30); y: 14 at the top, the target 9 at
    # the bottom (16 px for 5 hours).
    assert line.dots == [(4.0, 4.0), (36.0, 10.4), (100.0, 16.8)]
    assert line.target_y == 20.0
    assert line.points == "4.0,4.0 36.0,10.4 100.0,16.8"


def test_sparkline_of_one_value_is_centred_and_of_none_is_absent():
    assert sparkline_geometry([]) is None
    line = sparkline_geometry([(datetime.date(2026, 1, 1), Decimal("5"))], width=104, height=24)
    assert line.dots == [(52.0, 4.0)]
    assert line.target_y is None


# Session, user, roles, the initiative joined to its KPI, the measurements.
VALUE_PAGE_QUERY_BUDGET = 5


@pytest.mark.parametrize("size", [5, 200])
def test_value_page_query_count_is_constant(
    client, product_owner, django_assert_max_num_queries, size
):
    initiatives = [InitiativeFactory(business_owner=product_owner) for _ in range(size)]
    target = initiatives[-1]
    kpi = kpi_set(initiative=target, actor=product_owner, data=TRIAGE_KPI, expected_version=0)
    KpiMeasurement.objects.bulk_create(
        KpiMeasurement(
            kpi=kpi,
            measured_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
            value=Decimal(14 - n % 5),
            recorded_by=product_owner,
        )
        for n in range(size)
    )
    client.force_login(product_owner)
    with django_assert_max_num_queries(VALUE_PAGE_QUERY_BUDGET):
        response = client.get(reverse("portfolio:initiative_value", args=[target.pk]))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == size
    assert len(response.context["page"].object_list) == min(size, MEASUREMENTS_PER_PAGE)


def test_measurements_are_paginated_newest_first_and_htmx_gets_only_the_table(
    client, product_owner
):
    initiative = InitiativeFactory(business_owner=product_owner)
    kpi = kpi_set(initiative=initiative, actor=product_owner, data=TRIAGE_KPI, expected_version=0)
    first_day = datetime.date(2026, 1, 1)
    KpiMeasurement.objects.bulk_create(
        KpiMeasurement(
            kpi=kpi,
            measured_on=first_day + datetime.timedelta(days=n),
            value=Decimal(10),
            note=f"day {n}",
        )
        for n in range(MEASUREMENTS_PER_PAGE + 3)
    )
    client.force_login(product_owner)
    url = reverse("portfolio:initiative_value", args=[initiative.pk])

    first = client.get(url).content.decode()
    assert f"{MEASUREMENTS_PER_PAGE + 3} measurements, 1–{MEASUREMENTS_PER_PAGE} shown" in first
    assert f"day {MEASUREMENTS_PER_PAGE + 2}<" in first  # the newest is on page 1
    assert "day 0<" not in first
    assert 'rel="next"' in first

    second = client.get(
        url, {"page": 2}, headers={"HX-Request": "true", "HX-Target": "measurements-table"}
    ).content.decode()
    assert second.lstrip().startswith('<div id="measurements-table"')
    assert "<h1>" not in second  # only the table fragment
    assert "day 0<" in second
    assert f"day {MEASUREMENTS_PER_PAGE + 2}<" not in second
    assert 'rel="prev"' in second


@pytest.mark.parametrize("size", [5, 200])
def test_initiative_page_with_a_kpi_stays_within_the_detail_budget(
    client, product_owner, executive, django_assert_max_num_queries, size
):
    initiatives = [InitiativeFactory(business_owner=product_owner) for _ in range(size)]
    target = initiatives[-1]
    kpi = kpi_set(initiative=target, actor=product_owner, data=TRIAGE_KPI, expected_version=0)
    KpiMeasurement.objects.bulk_create(
        KpiMeasurement(
            kpi=kpi,
            measured_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=n),
            value=Decimal(14 - n % 5),
        )
        for n in range(size)
    )
    client.force_login(executive)
    with django_assert_max_num_queries(DETAIL_QUERY_BUDGET):
        response = client.get(target.get_absolute_url())
    assert "Median first-response time" in response.text
