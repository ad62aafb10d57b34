"""compare_snapshots: headline figures against the previous report's, from plain dicts."""

from __future__ import annotations

import copy
import json

import pytest

from reporting.comparison import band_label, band_sort_key, compare_snapshots, headline_figures


def _stages(exploration: int, pilot: int, scale: int = 0) -> list[dict]:
    return [
        {"stage": "exploration", "label": "Exploration", "count": exploration},
        {"stage": "pilot", "label": "Pilot", "count": pilot},
        {"stage": "scale", "label": "Scale", "count": scale},
    ]


def _kpi(name: str, latest: str | None) -> dict:
    return {"name": name, "unit": "hours", "latest": latest, "baseline": "100", "target": "200"}


def monthly(**overrides) -> dict:
    """A monthly snapshot as report_data freezes it, reduced to what the comparison reads."""
    snapshot = {
        "kind": "monthly",
        "portfolio_summary": {"active": 5, "by_stage": _stages(2, 3)},
        "business_value": [
            {"initiative": "Claims triage", "kpi": _kpi("Hours saved", "120")},
            {"initiative": "Invoice OCR", "kpi": _kpi("Minutes per invoice", "9.5")},
            {"initiative": "Chat assist", "kpi": None},
        ],
        "progress": {"incident_count": 2},
        "risk_position": [{"severity": 20}],
        "decisions_required": [{"question": "Fund?"}, {"question": "Stop?"}],
        "resourcing": {
            "constrained": [{"initiative": "Claims triage"}],
            "total_spend": "10000.00",
            "total_budget": "50000",
        },
        "readiness_to_scale": {"move": [], "stay": [], "stop": []},
        "risk_summary": {"open": 7, "escalated": 2},
        "readiness_bands": [
            {"band": "strong", "count": 1},
            {"band": "weak", "count": 3},
            {"band": "", "count": 1},
        ],
    }
    snapshot.update(overrides)
    return snapshot


def quarterly(**overrides) -> dict:
    snapshot = {
        "kind": "quarterly",
        "portfolio_value": {
            "summary": {"active": 4, "by_stage": _stages(1, 3)},
            "initiatives": [{"initiative": "Claims triage", "kpi": _kpi("Hours saved", "150")}],
            "total_spend": "2000",
            "total_budget": "9000",
        },
        "top_risks": [{"severity": 20}],
        "resourcing_pressure": [],
        "decisions_ahead": {"leadership": [{"question": "Fund?"}], "gates": []},
        "risk_summary": {"open": 3, "escalated": 0},
        "readiness_bands": [{"band": "moderate", "count": 4}],
    }
    snapshot.update(overrides)
    return snapshot


# --- the first report of its kind ---------------------------------------------------------------


def test_without_a_previous_report_it_says_first_report_and_has_no_deltas():
    result = compare_snapshots(None, monthly())
    assert result["first_report"] is True
    assert result["not_compared"] == []
    assert result["figures"]["active"] == {"previous": None, "current": 5, "delta": None}
    assert result["figures"]["total_spend"] == {
        "previous": None,
        "current": "10000.00",
        "delta": None,
    }
    assert all(row["previous"] is None and row["delta"] is None for row in result["stages"])
    assert [row["current"] for row in result["stages"]] == [2, 3, 0]
    assert all(row["delta"] is None for row in result["bands"])
    assert result["kpis"] == []


def test_an_empty_previous_snapshot_is_not_a_first_report_but_compares_nothing():
    result = compare_snapshots({}, monthly())
    assert result["first_report"] is False
    assert set(result["not_compared"]) == set(headline_figures(monthly()))
    assert result["figures"]["open_risks"] == {"previous": None, "current": 7, "delta": None}


# --- scalar figures ---------------------------------------------------------------------------


def test_counts_and_money_are_subtracted_previous_from_current():
    previous = monthly(
        portfolio_summary={"active": 3, "by_stage": _stages(1, 2)},
        risk_summary={"open": 9, "escalated": 2},
        decisions_required=[{"question": "Fund?"}],
        progress={"incident_count": 5},
        resourcing={"constrained": [], "total_spend": "7500.50", "total_budget": "50000"},
    )
    figures = compare_snapshots(previous, monthly())["figures"]
    assert figures["active"] == {"previous": 3, "current": 5, "delta": 2}
    assert figures["open_risks"] == {"previous": 9, "current": 7, "delta": -2}
    assert figures["escalated_risks"] == {"previous": 2, "current": 2, "delta": 0}
    assert figures["open_decisions"] == {"previous": 1, "current": 2, "delta": 1}
    assert figures["constrained"] == {"previous": 0, "current": 1, "delta": 1}
    assert figures["incidents"] == {"previous": 5, "current": 2, "delta": -3}
    assert figures["total_spend"] == {
        "previous": "7500.50",
        "current": "10000.00",
        "delta": "2499.50",
    }
    assert figures["total_budget"]["delta"] == "0"


def test_the_figures_are_plain_json():
    result = compare_snapshots(monthly(), monthly())
    assert json.loads(json.dumps(result)) == result


def test_a_report_compared_with_an_identical_one_shows_no_change():
    result = compare_snapshots(monthly(), monthly())
    assert all(str(figure["delta"]) in ("0", "0.00") for figure in result["figures"].values()), (
        result["figures"]
    )
    assert {row["delta"] for row in result["stages"]} == {0}
    assert {row["delta"] for row in result["bands"]} == {0}
    assert result["not_compared"] == []


# --- stages and bands -------------------------------------------------------------------------


def test_stage_counts_are_compared_stage_by_stage_in_the_current_order():
    previous = monthly(portfolio_summary={"active": 6, "by_stage": _stages(4, 1, 1)})
    stages = compare_snapshots(previous, monthly())["stages"]
    assert [(s["stage"], s["label"], s["previous"], s["current"], s["delta"]) for s in stages] == [
        ("exploration", "Exploration", 4, 2, -2),
        ("pilot", "Pilot", 1, 3, 2),
        ("scale", "Scale", 1, 0, -1),
    ]


def test_a_stage_only_the_previous_report_had_counts_as_zero_now():
    previous = monthly(
        portfolio_summary={
            "active": 1,
            "by_stage": [{"stage": "sunset", "label": "Sunset", "count": 1}],
        }
    )
    stages = {s["stage"]: s for s in compare_snapshots(previous, monthly())["stages"]}
    assert stages["sunset"] == {
        "stage": "sunset",
        "label": "Sunset",
        "previous": 1,
        "current": 0,
        "delta": -1,
    }
    assert stages["pilot"]["previous"] == 0


def test_band_counts_list_every_band_of_either_report_best_first_no_scorecard_last():
    previous = monthly(readiness_bands=[{"band": "low", "count": 2}, {"band": "weak", "count": 1}])
    bands = compare_snapshots(previous, monthly())["bands"]
    assert [(b["band"], b["label"], b["previous"], b["current"], b["delta"]) for b in bands] == [
        ("strong", "Strong", 0, 1, 1),
        ("weak", "Weak", 1, 3, 2),
        ("low", "Low", 2, 0, -2),
        ("", "No scorecard", 0, 1, 1),
    ]


def test_an_unknown_band_is_listed_after_the_known_ones_and_before_no_scorecard():
    assert sorted(["", "exceptional", "low", "strong"], key=band_sort_key) == [
        "strong",
        "low",
        "exceptional",
        "",
    ]
    assert band_label("") == "No scorecard"
    assert band_label("partly_ready") == "Partly ready"


def test_band_counts_of_an_older_monthly_snapshot_come_from_the_readiness_section():
    older = monthly(
        readiness_to_scale={
            "move": [{"band": "strong", "status": "Active"}],
            "stay": [
                {"band": "weak", "status": "Active"},
                {"band": "", "status": "Active"},
                {"band": "weak", "status": "Paused"},
            ],
            "stop": [{"band": "low", "status": "Stopped"}],
        }
    )
    del older["readiness_bands"]
    bands = {b["band"]: b["previous"] for b in compare_snapshots(older, monthly())["bands"]}
    assert bands == {"strong": 1, "weak": 1, "": 1}


# --- value (KPIs) -----------------------------------------------------------------------------


def test_kpis_are_compared_when_the_same_kpi_was_measured_in_both_reports():
    previous = monthly(
        business_value=[
            {"initiative": "Claims triage", "kpi": _kpi("Hours saved", "100")},
            {"initiative": "Invoice OCR", "kpi": _kpi("Invoices per hour", "9.5")},  # renamed
            {"initiative": "Chat assist", "kpi": _kpi("CSAT", "4.1")},  # KPI removed since
        ]
    )
    kpis = compare_snapshots(previous, monthly())["kpis"]
    assert kpis == [
        {
            "initiative": "Claims triage",
            "kpi": "Hours saved",
            "unit": "hours",
            "previous": "100",
            "current": "120",
            "delta": "20",
        }
    ]


def test_a_kpi_without_a_measurement_on_either_side_is_not_a_movement():
    previous = monthly(
        business_value=[{"initiative": "Claims triage", "kpi": _kpi("Hours saved", None)}]
    )
    assert compare_snapshots(previous, monthly())["kpis"] == []
    current = monthly(
        business_value=[{"initiative": "Claims triage", "kpi": _kpi("Hours saved", None)}]
    )
    assert compare_snapshots(monthly(), current)["kpis"] == []


# --- quarterly and mixed shapes ---------------------------------------------------------------


def test_quarterly_snapshots_are_read_from_the_board_sections():
    previous = quarterly(
        portfolio_value={
            "summary": {"active": 2, "by_stage": _stages(1, 1)},
            "initiatives": [{"initiative": "Claims triage", "kpi": _kpi("Hours saved", "100")}],
            "total_spend": "1500",
            "total_budget": "9000",
        },
        resourcing_pressure=[{"initiative": "Claims triage"}],
        decisions_ahead={"leadership": [], "gates": []},
    )
    result = compare_snapshots(previous, quarterly())
    figures = result["figures"]
    assert figures["active"]["delta"] == 2
    assert figures["total_spend"] == {"previous": "1500", "current": "2000", "delta": "500"}
    assert figures["constrained"]["delta"] == -1
    assert figures["open_decisions"]["delta"] == 1
    assert "incidents" not in figures  # the board summary has no incidents section
    assert [(s["stage"], s["delta"]) for s in result["stages"]] == [
        ("exploration", 0),
        ("pilot", 2),
        ("scale", 0),
    ]
    assert result["kpis"][0]["delta"] == "50"


# --- older or damaged snapshots must not crash ------------------------------------------------


def test_an_older_snapshot_without_the_new_figures_lists_them_as_not_compared():
    older = monthly()
    del older["risk_summary"]
    del older["readiness_bands"]
    del older["readiness_to_scale"]
    result = compare_snapshots(older, monthly())
    assert set(result["not_compared"]) == {"open_risks", "escalated_risks", "by_band"}
    assert result["figures"]["open_risks"] == {"previous": None, "current": 7, "delta": None}
    assert all(b["previous"] is None and b["delta"] is None for b in result["bands"])
    assert result["figures"]["active"]["delta"] == 0  # what it did hold is still compared


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s.pop("portfolio_summary"),
        lambda s: s.update(portfolio_summary=None),
        lambda s: s.update(portfolio_summary={"by_stage": "not a list"}),
        lambda s: s["portfolio_summary"].update(by_stage=[None, {"count": 3}, {"stage": "pilot"}]),
        lambda s: s.update(resourcing={"total_spend": "n/a", "total_budget": None}),
        lambda s: s.update(resourcing={"total_spend": "NaN"}),
        lambda s: s.update(business_value=[None, {"initiative": "X", "kpi": "broken"}]),
        lambda s: s.update(business_value=[{"initiative": "Claims triage", "kpi": {}}]),
        lambda s: s.update(risk_summary={"open": "seven", "escalated": True}),
        lambda s: s.update(readiness_bands=[None, {"band": None, "count": "x"}]),
        lambda s: s.update(readiness_to_scale={"move": None}),
        lambda s: s.update(progress=[]),
        lambda s: s.clear(),
    ],
)
def test_a_damaged_previous_snapshot_does_not_crash(damage):
    previous = copy.deepcopy(monthly())
    damage(previous)
    result = compare_snapshots(previous, monthly())
    assert result["first_report"] is False
    assert result["figures"]["active"]["current"] == 5
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize("previous", [None, {}, {"kind": "monthly"}, []])
def test_a_current_snapshot_missing_sections_still_compares(previous):
    result = compare_snapshots(previous, {"kind": "monthly", "risk_summary": {"open": 1}})
    assert result["stages"] == [] and result["bands"] == [] and result["kpis"] == []
    assert list(result["figures"]) == ["open_risks"]


def test_a_previous_snapshot_that_is_not_a_dict_is_compared_as_holding_nothing():
    result = compare_snapshots(["not", "a", "snapshot"], monthly())
    assert result["first_report"] is False
    assert result["figures"]["active"]["previous"] is None


def test_headline_figures_reads_each_kind():
    figures = headline_figures(monthly())
    assert figures["active"] == 5
    assert figures["open_risks"] == 7
    assert figures["by_stage"]["pilot"] == ("Pilot", 3)
    assert figures["by_band"] == {"strong": 1, "weak": 3, "": 1}
    assert set(figures["kpis"]) == {"Claims triage", "Invoice OCR"}
    assert headline_figures(quarterly())["constrained"] == 0
    assert headline_figures(None) == {}
