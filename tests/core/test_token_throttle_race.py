"""Invalid API tokens sent at the same moment are each counted: a burst of exactly the limit,
all at once, throttles the address as the same requests one by one would (a read-then-write
counter lost some of them and let a burst through uncounted).

Each request runs in its own thread and database connection, so PostgreSQL only, as the other
race tests.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.roles import Role
from tests.concurrency import run_at_once
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="threads with their own connections need a real server; CI runs this on PostgreSQL",
    ),
]

ADDRESS = "203.0.113.9"


def _api(token: str) -> int:
    response = APIClient().get(
        reverse("initiative-list"), HTTP_AUTHORIZATION=f"Token {token}", REMOTE_ADDR=ADDRESS
    )
    return response.status_code


def test_simultaneous_invalid_tokens_are_each_counted():
    valid = Token.objects.create(user=UserFactory(username="eva", roles=[Role.EXECUTIVE])).key
    limit = settings.API_TOKEN_FAILURE_LIMIT
    assert limit > 1

    statuses, errors = run_at_once([lambda: _api("0" * 40)] * limit)

    assert errors == []
    assert statuses == [401] * limit
    assert _api(valid) == 429
