"""The PDF stands alone: cover, contents, numbered pages, every section with its figures."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from weasyprint import HTML

from governance.models import RiskCategory
from governance.register.services import risk_close, risk_create
from portfolio.models import Stage
from portfolio.services import initiative_change_stage
from reporting.models import Report, ReportStatus
from reporting.pdf import CHART_BARS, TABLE_ROWS, render_report_pdf, report_html
from reporting.report_data import (
    MONTHLY_SECTIONS,
    QUARTERLY_SECTIONS,
    monthly_report_data,
    parse_period,
    quarterly_report_data,
)
from reporting.services import report_generate, report_sign_off
from tests.factories import InitiativeFactory, scores, submitted_scorecard
from tests.reporting.support import build_portfolio, scorecard_version

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12, 0))


@pytest.fixture
def portfolio():
    with time_machine.travel(NOW, tick=False):
        yield build_portfolio(12, now=NOW)


def _pages_text(html: str) -> list[str]:
    """The text WeasyPrint lays out on each page (page-margin boxes included)."""
    document = HTML(string=html).render()
    pages = []
    for page in document.pages:
        texts = [
            box.text
            for box in page._page_box.descendants()
            if isinstance(getattr(box, "text", None), str)
        ]
        pages.append(re.sub(r"\s+", " ", " ".join(texts)))
    return pages


def test_the_cover_prints_the_audit_checkpoint_taken_at_generation(portfolio, governance_admin):
    with time_machine.travel(NOW, tick=False):
        report = report_generate(kind="monthly", period_label="2026-11")
    checkpoint = report.snapshot["audit_checkpoint"]
    cover = _pages_text(
        report_html(snapshot=report.snapshot, period_label="2026-11", revision=report.revision)
    )[0]
    taken = timezone.localtime(NOW)
    assert f"Audit trail at generation: {checkpoint['events']} events, head hash " in cover
    # All 64 characters, so a reader can compare; they wrap over lines on the page.
    assert checkpoint["hash"] in cover.replace(" ", "")
    assert f"checkpoint taken {taken:%-d %B %Y} at {taken:%H:%M:%S} {taken:%Z}" in cover
    # Signing off adds a checkpoint to the trail, but the PDF that was reviewed stays as it is.
    before = report.pdf.read()
    report_sign_off(report=report, actor=governance_admin)
    report.refresh_from_db()
    assert report.pdf.read() == before


def test_a_snapshot_frozen_before_checkpoints_prints_no_audit_line(portfolio):
    with time_machine.travel(NOW, tick=False):
        data = monthly_report_data(*parse_period("monthly", "2026-11"))
    assert "audit_checkpoint" not in data
    cover = _pages_text(report_html(snapshot=data, period_label="2026-11", revision=1))[0]
    assert "Audit trail" not in cover


def test_monthly_pdf_has_cover_contents_page_numbers_sections_and_figures(portfolio):
    with time_machine.travel(NOW, tick=False):
        data = monthly_report_data(*parse_period("monthly", "2026-11"))
    html = report_html(snapshot=data, period_label="2026-11", revision=3)
    pages = _pages_text(html)
    cover, contents, body = pages[0], pages[1], " ".join(pages[2:])
    assert "Monthly executive review" in cover
    assert "2026-11" in cover and "Revision: 3" in cover
    assert "1 November 2026 to 30 November 2026" in cover
    # In the site's time zone, readable: not an ISO timestamp in UTC.
    generated = timezone.localtime(NOW)
    assert f"Generated on {generated:%-d %B %Y} at {generated:%H:%M} {generated:%Z}" in cover
    assert "Page" not in cover  # the cover carries no page number
    assert len(MONTHLY_SECTIONS) == 10
    for _, title in MONTHLY_SECTIONS:
        assert title in contents
        assert title in body
    assert f"Page 2 of {len(pages)}" in contents
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    # Figures from the data.
    assert data["portfolio_summary"]["text"] in body
    assert data["business_value"][0]["initiative"] in body
    assert data["risk_position"][0]["description"] in body
    assert data["decisions_required"][0]["question"] in body
    assert data["next_priorities"][0]["title"] in body
    # Charts are inline SVG.
    assert html.count("<svg") >= 2
    pdf = render_report_pdf(snapshot=data, period_label="2026-11", revision=3)
    assert pdf.startswith(b"%PDF-")


def test_quarterly_pdf_has_the_four_board_sections(portfolio):
    with time_machine.travel(NOW, tick=False):
        data = quarterly_report_data(*parse_period("quarterly", "2026-Q4"))
    pages = _pages_text(report_html(snapshot=data, period_label="2026-Q4", revision=1))
    body = " ".join(pages[2:])
    assert "Quarterly board summary" in pages[0]
    assert len(QUARTERLY_SECTIONS) == 4
    for _, title in QUARTERLY_SECTIONS:
        assert title in pages[1] and title in body
    assert data["top_risks"][0]["description"] in body


def test_an_empty_portfolio_still_renders_every_section(db):
    data = monthly_report_data(*parse_period("monthly", "2026-11"))
    body = " ".join(_pages_text(report_html(snapshot=data, period_label="2026-11", revision=1)))
    assert "0 active" in body
    assert "No open risks." in body
    assert "No incidents in the period." in body


def test_the_command_prints_the_path_of_a_new_pdf(portfolio, capsys):
    call_command("generate_report", "monthly", "--period", "2026-11")
    first = capsys.readouterr().out.strip()
    call_command("generate_report", "quarterly", "--period", "2026-Q4")
    second = capsys.readouterr().out.strip()
    for path in (first, second):
        with open(path, "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
    assert first.endswith("monthly-2026-11-rev1.pdf")
    assert Report.objects.count() == 2


def test_the_command_explains_a_bad_period(db):
    with pytest.raises(CommandError, match="period: Give a month as YYYY-MM"):
        call_command("generate_report", "monthly", "--period", "2026/10")
    assert not Report.objects.exists()


def _text(html: str) -> str:
    """The HTML as a reader sees it: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".")


def _at(day: datetime.date, hour: int = 10):
    return time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))), tick=False
    )


def test_the_next_months_report_shows_what_changed_since_the_previous_one(
    product_owner, governance_admin
):
    version = scorecard_version()
    claims = InitiativeFactory(
        title="Claims triage",
        stage=Stage.PILOT,
        business_owner=product_owner,
        delivery_owner=product_owner,
        poc_budget=20000,
        actual_spend=5000,
    )
    with _at(datetime.date(2026, 10, 6)):
        submitted_scorecard(claims, governance_admin, scores(version, 2))  # weak
        escalated = risk_create(
            initiative=claims,
            actor=governance_admin,
            category=RiskCategory.PRIVACY,
            description="Claimant data in prompts",
            likelihood=4,
            impact=4,
            owner=product_owner,
        )
    with _at(datetime.date(2026, 11, 2)):
        october = report_generate(kind="monthly", period_label="2026-10")
        report_sign_off(report=october, actor=governance_admin)
    with _at(datetime.date(2026, 11, 5)):
        initiative_change_stage(
            initiative=claims,
            actor=governance_admin,
            to_stage=Stage.CONTROLLED_ROLLOUT,
            reason="Pilot exit approved",
        )
    with _at(datetime.date(2026, 11, 6)):
        submitted_scorecard(claims, governance_admin, scores(version, 4))  # moderate
        risk_create(
            initiative=claims,
            actor=governance_admin,
            category=RiskCategory.VENDOR,
            description="Model vendor changes pricing",
            likelihood=2,
            impact=3,
            owner=product_owner,
        )
        risk_close(risk=escalated, actor=governance_admin, reason="Prompts are redacted now")
    with _at(datetime.date(2026, 12, 1)):
        november = report_generate(kind="monthly", period_label="2026-11")

    october.refresh_from_db()
    assert october.snapshot["comparison"]["first_report"] is True
    first = _text(
        report_html(snapshot=october.snapshot, period_label="2026-10", revision=october.revision)
    )
    assert "Since last period" in first
    assert "There is no previous monthly executive review to compare with" in first

    snapshot = november.snapshot
    assert snapshot["previous_report"]["id"] == october.pk
    assert snapshot["previous_report"]["status"] == ReportStatus.SIGNED_OFF
    changes = snapshot["changes"]
    assert [(m["from"], m["to"]) for m in changes["stage_moves"]] == [
        ("Pilot", "Controlled rollout")
    ]
    assert [(c["from"], c["to"]) for c in changes["band_changes"]] == [("weak", "moderate")]
    assert [r["description"] for r in changes["new_risks"]] == ["Model vendor changes pricing"]
    assert [r["description"] for r in changes["closed_risks"]] == ["Claimant data in prompts"]
    figures = snapshot["comparison"]["figures"]
    assert figures["open_risks"] == {"previous": 1, "current": 1, "delta": 0}
    assert figures["escalated_risks"] == {"previous": 1, "current": 0, "delta": -1}

    text = _text(report_html(snapshot=snapshot, period_label="2026-11", revision=1))
    assert "Since the previous report (2026-10, rev 1)" in text
    assert "There is no previous" not in text
    # Portfolio summary: the move and the stage counts.
    assert "Claims triage: Pilot → Controlled rollout (2026-11-05)" in text
    assert "Pilot 1 0 −1" in text and "Controlled rollout 0 1 +1" in text
    assert "Scale decision 0 0" not in text  # stages empty in both reports are left out
    # Readiness to scale: the band change and the band counts.
    assert "Claims triage: Weak → Moderate (total 72), 2026-11-06" in text
    assert "Weak 1 0 −1" in text and "Moderate 0 1 +1" in text
    # Risk position: new, closed and the open count.
    assert "Open risks: 1, unchanged; escalated: 0, down 1 from 1." in text
    assert "Claims triage: Vendor: Model vendor changes pricing (severity 6, 2026-11-06)" in text
    assert (
        "Claims triage: Privacy: Claimant data in prompts (2026-11-06: Prompts are redacted now)"
        in text
    )
    # Resourcing: spend and budget against the previous report.
    assert "Total spend: €5,000, unchanged; total budget: €20,000, unchanged." in text


def test_a_second_revision_compares_with_the_previous_period_not_with_itself(
    governance_admin,
):
    with _at(datetime.date(2026, 11, 2)):
        report_generate(kind="monthly", period_label="2026-10")
    with _at(datetime.date(2026, 12, 1)):
        first = report_generate(kind="monthly", period_label="2026-11")
        report_sign_off(report=first, actor=governance_admin)
        second = report_generate(kind="monthly", period_label="2026-11")
    assert first.snapshot["previous_report"]["period_label"] == "2026-10"
    assert second.revision == 2
    assert second.snapshot["previous_report"]["period_label"] == "2026-10"


def test_a_gap_between_reports_is_explained(db):
    with _at(datetime.date(2026, 9, 2)):
        report_generate(kind="monthly", period_label="2026-08")
    with _at(datetime.date(2026, 12, 1)):
        november = report_generate(kind="monthly", period_label="2026-11")
    text = _text(report_html(snapshot=november.snapshot, period_label="2026-11", revision=1))
    assert "Since the previous report (2026-08, rev 1, draft)" in text
    assert (
        "The previous report covers 2026-08; the changes listed are those within 2026-11 only."
        in text
    )


def test_the_quarterly_pdf_compares_with_the_previous_quarter(portfolio):
    with time_machine.travel(NOW, tick=False):
        q3 = report_generate(kind="quarterly", period_label="2026-Q3")
        q4 = report_generate(kind="quarterly", period_label="2026-Q4")
    assert q3.snapshot["comparison"]["first_report"] is True
    text = _text(report_html(snapshot=q4.snapshot, period_label="2026-Q4", revision=1))
    assert "Since the previous report (2026-Q3, rev 1, draft)" in text
    assert text.count("Since the previous report (2026-Q3, rev 1, draft)") == 4  # every section
    assert "Open risks:" in text and "Open leadership decisions:" in text
    assert "Constrained initiatives:" in text


def test_a_snapshot_frozen_before_reports_were_compared_still_renders(portfolio):
    with time_machine.travel(NOW, tick=False):
        data = monthly_report_data(*parse_period("monthly", "2026-11"))
    for key in ("changes", "comparison", "previous_report", "risk_summary", "readiness_bands"):
        del data[key]
    text = _text(report_html(snapshot=data, period_label="2026-11", revision=1))
    assert data["portfolio_summary"]["text"] in text
    assert "Since the previous report" not in text and "Since last period" not in text


def test_figures_read_as_words_up_down_and_not_recorded(db):
    data = monthly_report_data(*parse_period("monthly", "2026-11"))
    data["previous_report"] = {
        "id": 1,
        "period_label": "2026-10",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "revision": 2,
        "status": "signed_off",
    }
    data["comparison"]["first_report"] = False
    data["comparison"]["figures"].update(
        open_risks={"previous": 3, "current": 5, "delta": 2},
        total_spend={"previous": "1000", "current": "250.50", "delta": "-749.50"},
        total_budget={"previous": None, "current": "9000", "delta": None},
    )
    text = _text(report_html(snapshot=data, period_label="2026-11", revision=1))
    assert "Since the previous report (2026-10, rev 2)" in text
    assert "Open risks: 5, up 2 from 3" in text
    assert "Total spend: €250, down €750 from €1,000" in text
    assert "total budget: €9,000 (the previous report did not record this figure)" in text


def test_long_tables_print_their_most_telling_rows_and_count_the_rest(db):
    size = TABLE_ROWS * 2  # not every initiative is active
    with time_machine.travel(NOW, tick=False):
        build_portfolio(size, now=NOW)
        data = monthly_report_data(*parse_period("monthly", "2026-11"))
    active = len(data["resourcing"]["rows"])
    assert active > TABLE_ROWS  # the snapshot keeps every row

    html = report_html(snapshot=data, period_label="2026-11", revision=1)

    resourcing = html.split('id="resourcing"')[1].split("</section>")[0]
    assert resourcing.count("<tr>") - 1 == TABLE_ROWS  # header row + the printed rows
    hidden = active - TABLE_ROWS
    assert f"And {hidden} more ({active} in all), not printed here" in resourcing
    # The constrained ones come first, so the table never hides a constraint behind the cap.
    constrained = sum(row["constrained"] for row in data["resourcing"]["rows"])
    assert 0 < constrained < active
    printed = resourcing.split("<tbody>")[1]
    first_rows = printed.split("</tr>")[: min(constrained, TABLE_ROWS)]
    assert all("Over budget" in row or "Low delivery capacity" in row for row in first_rows)
    # The chart shows the largest spenders only, and says so.
    assert f"The {CHART_BARS} largest spenders of {active}." in resourcing
