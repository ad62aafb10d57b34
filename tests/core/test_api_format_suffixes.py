"""The API has no `.json` format-suffix twins of its routes: such a path is a JSON 404, never a
server error, for reads and writes alike.

The objects exist and their unsuffixed paths answer, so the 404 comes from the suffix, not from
a missing object (`/kpis/{id}/measurements.json` once reached a view that did not take the
`format` argument DRF passed, and answered 500).
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portfolio.value.services import kpi_set
from tests.portfolio.support import TRIAGE_KPI

pytestmark = pytest.mark.django_db

SUFFIXES = (".json", ".api", ".csv")
# (method, path with {initiative} / {kpi}): a collection, a detail, an action and a write.
ENDPOINTS = (
    ("get", "/api/v1/initiatives"),
    ("get", "/api/v1/initiatives/{initiative}"),
    ("get", "/api/v1/kpis/{kpi}"),
    ("get", "/api/v1/kpis/{kpi}/measurements"),
    ("post", "/api/v1/kpis/{kpi}/measurements"),
    ("get", "/api/v1/business-units"),
)
# A measurement the unsuffixed path would record: only the suffix is wrong.
MEASUREMENT = {"measured_on": "2026-11-02", "value": "12"}


@pytest.fixture
def admin_api(governance_admin) -> APIClient:
    client = APIClient()
    client.force_authenticate(governance_admin)
    return client


@pytest.fixture
def paths(initiative, product_owner) -> list[tuple[str, str]]:
    kpi = kpi_set(initiative=initiative, actor=product_owner, data=TRIAGE_KPI, expected_version=0)
    return [
        (method, path.format(initiative=initiative.pk, kpi=kpi.pk)) for method, path in ENDPOINTS
    ]


def test_the_unsuffixed_paths_answer(admin_api, paths):
    answers = {}
    for method, path in paths:
        if method == "post":
            answers[path] = admin_api.post(f"{path}/", MEASUREMENT, format="json").status_code
        else:
            answers[path] = admin_api.get(f"{path}/").status_code

    assert answers
    assert set(answers.values()) <= {200, 201}


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_format_suffix_is_a_json_404_not_a_server_error(admin_api, paths, suffix):
    answers = {}
    for method, path in paths:
        url = f"{path}{suffix}"
        if method == "post":
            response = admin_api.post(url, MEASUREMENT, format="json")
        else:
            response = admin_api.get(url)
        answers[f"{method.upper()} {path}{suffix}"] = (
            response.status_code,
            response["Content-Type"],
        )

    assert answers
    assert answers == dict.fromkeys(answers, (404, "application/json"))
