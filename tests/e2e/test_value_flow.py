"""A product owner tracks value in the browser: the KPI, then measurements typed and uploaded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.roles import Role
from portfolio.models import KpiMeasurement
from tests.e2e.support import log_in
from tests.factories import InitiativeFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_product_owner_defines_a_kpi_records_and_uploads_measurements(page, tmp_path):
    owner = UserFactory(username="paul", first_name="Paul", roles=[Role.PRODUCT_OWNER])
    initiative = InitiativeFactory(title="Support triage assistant", business_owner=owner)

    log_in(page, "paul")
    page.goto(f"/initiatives/{initiative.pk}/value/")
    expect(page.get_by_text("No KPI defined yet.")).to_be_visible()

    page.get_by_role("textbox", name="KPI", exact=True).fill("Median first-response time")
    page.get_by_label("Unit").fill("hours")
    page.get_by_label("Direction").select_option(label="Lower is better")
    page.get_by_label("Baseline").fill("20")
    page.get_by_label("Target", exact=True).fill("10")
    page.get_by_label("Target date").fill("2027-06-30")
    page.get_by_label("Error budget").fill("1")
    page.get_by_role("button", name="Save KPI").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("KPI saved")

    page.get_by_label("Measured on").fill("2026-10-01")
    page.get_by_label("Value", exact=True).fill("20")
    page.get_by_role("button", name="Record measurement").click()
    expect(page.locator("#measurements-table")).to_contain_text("1 measurement")
    expect(page.locator(".badge-ok")).to_have_text("On track")

    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("measured_on,value\n2026-11-01,19\nnot-a-date,3\n")
    page.get_by_label("CSV file").set_input_files(bad_csv)
    page.get_by_role("button", name="Upload").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Nothing was imported: 1 problem in the file")
    expect(errors.get_by_role("row").nth(1)).to_contain_text("3")  # the line of the bad date
    assert KpiMeasurement.objects.filter(kpi__initiative=initiative).count() == 1

    good_csv = tmp_path / "good.csv"
    good_csv.write_text("measured_on,value,note\n2026-11-01,19,November\n")
    page.get_by_label("CSV file").set_input_files(good_csv)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".messages").or_(page.get_by_role("status"))).to_contain_text(
        "Imported 1 measurement"
    )
    table = page.locator("#measurements-table")
    expect(table).to_contain_text("2 measurements")
    expect(table.get_by_role("row").nth(1)).to_contain_text("November")  # newest first
    assert KpiMeasurement.objects.filter(kpi__initiative=initiative).count() == 2
