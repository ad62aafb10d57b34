"""The PDF stands alone: cover, contents, numbered pages, every section with its figures."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from weasyprint import HTML

from reporting.models import Report
from reporting.pdf import render_report_pdf, report_html
from reporting.report_data import (
    MONTHLY_SECTIONS,
    QUARTERLY_SECTIONS,
    monthly_report_data,
    parse_period,
    quarterly_report_data,
)
from tests.reporting.support import build_portfolio

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12, 0))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


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


def test_monthly_pdf_has_cover_contents_page_numbers_sections_and_figures(portfolio):
    with time_machine.travel(NOW, tick=False):
        data = monthly_report_data(*parse_period("monthly", "2026-11"))
    html = report_html(snapshot=data, period_label="2026-11", revision=3)
    pages = _pages_text(html)
    cover, contents, body = pages[0], pages[1], " ".join(pages[2:])
    assert "Monthly executive review" in cover
    assert "2026-11" in cover and "Revision: 3" in cover and "Generated at" in cover
    assert "Page" not in cover  # the cover carries no page number
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
