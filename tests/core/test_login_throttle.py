"""Password guessing is throttled: per username and address on the login pages, and per address
for invalid API tokens; the lockout says when to try again, expires, and a success resets it.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.roles import Role
from core.throttling import client_ip_address, lockout_message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 30))
PASSWORD = "correct horse battery"
LOCKED = "Too many failed log-in attempts for this account from your address."


@pytest.fixture
def eva():
    return UserFactory(username="eva", password=PASSWORD, roles=[Role.EXECUTIVE])


@pytest.fixture
def paul():
    return UserFactory(username="paul", password=PASSWORD, roles=[Role.PRODUCT_OWNER])


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _log_in(client, username: str, password: str, address: str = "203.0.113.7", url="login"):
    return client.post(
        reverse(url), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _logged_in(client) -> bool:
    return client.get(reverse("portfolio:initiative_list")).status_code == 200


def _fail(client, username: str, times: int, address: str = "203.0.113.7"):
    responses = [_log_in(client, username, "not the password", address) for _ in range(times)]
    return responses[-1]


def test_the_default_limit_is_five_failures_for_fifteen_minutes():
    assert (settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_MINUTES) == (5, 15)


def test_wrong_passwords_below_the_limit_get_the_usual_error(client, eva, frozen):
    response = _fail(client, "eva", settings.LOGIN_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please enter a correct username and password" in html
    assert LOCKED not in html


def test_after_the_limit_even_the_right_password_is_refused_with_when_to_try_again(
    client, eva, frozen
):
    last_failure = _fail(client, "eva", settings.LOGIN_FAILURE_LIMIT)
    assert last_failure.status_code == 429
    assert LOCKED in last_failure.content.decode()

    frozen.shift(datetime.timedelta(minutes=1))
    response = _log_in(client, "eva", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    at = timezone.localtime(NOW + datetime.timedelta(minutes=15))
    assert f"{LOCKED} Try again at {at:%H:%M} (in 14 minutes)." in html
    assert 'role="alert"' in html
    assert 'value="eva"' in html  # the form is still there, username kept
    assert "Traceback" not in html
    assert not _logged_in(client)


def test_the_lockout_is_per_account_and_address(client, eva, paul, frozen):
    _fail(client, "eva", settings.LOGIN_FAILURE_LIMIT, address="203.0.113.7")
    # Another account from the same address is not locked ...
    assert _log_in(client, "paul", PASSWORD, address="203.0.113.7").status_code == 302
    client.logout()
    # ... nor the same account from another address: a guesser cannot lock eva out.
    assert _log_in(client, "eva", PASSWORD, address="198.51.100.20").status_code == 302
    client.logout()
    assert _log_in(client, "eva", PASSWORD, address="203.0.113.7").status_code == 429


def test_the_lockout_expires_after_the_lockout_minutes(client, eva, frozen):
    _fail(client, "eva", settings.LOGIN_FAILURE_LIMIT)
    frozen.shift(datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=-1))
    assert _log_in(client, "eva", PASSWORD).status_code == 429
    frozen.shift(datetime.timedelta(seconds=2))
    assert _log_in(client, "eva", PASSWORD).status_code == 302
    assert _logged_in(client)


def test_attempts_while_locked_out_do_not_extend_the_lockout(client, eva, frozen):
    _fail(client, "eva", settings.LOGIN_FAILURE_LIMIT)
    frozen.shift(datetime.timedelta(minutes=10))
    _fail(client, "eva", 3)
    frozen.shift(datetime.timedelta(minutes=5, seconds=1))
    assert _log_in(client, "eva", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(client, eva, frozen):
    _fail(client, "eva", settings.LOGIN_FAILURE_LIMIT - 1)
    assert _log_in(client, "eva", PASSWORD).status_code == 302
    client.logout()
    response = _fail(client, "eva", settings.LOGIN_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert _log_in(client, "eva", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, frozen):
    UserFactory(username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _log_in(client, "root", "guess", url="admin:login")
    response = _log_in(client, "root", PASSWORD, url="admin:login")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (15, "Try again at 09:45 (in 15 minutes)."),
        (0.5, "Try again at 09:30 (in 1 minute)."),
        (24 * 60, "Try again at 21 November 2026 at 09:30 (in 1440 minutes)."),
    ],
)
def test_the_lockout_message_says_when_to_try_again(minutes, expected):
    now = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 30))
    message = lockout_message(locked_until=now + datetime.timedelta(minutes=minutes), now=now)
    assert message == f"{LOCKED} {expected}"


def test_behind_trusted_proxies_the_client_is_the_address_the_outermost_one_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    # The left entry came from the client and could be anything.
    assert client_ip_address(request) == "203.0.113.7"


# ---------------------------------------------------------------------------------------------
# API tokens
# ---------------------------------------------------------------------------------------------


def _api(token: str, address: str = "203.0.113.7"):
    client = APIClient()
    return client.get(
        reverse("initiative-list"), HTTP_AUTHORIZATION=f"Token {token}", REMOTE_ADDR=address
    )


def test_an_address_sending_invalid_tokens_is_throttled_then_let_back(eva, frozen):
    valid = Token.objects.create(user=eva).key
    assert settings.API_TOKEN_FAILURE_LIMIT > 0
    for _ in range(settings.API_TOKEN_FAILURE_LIMIT):
        assert _api("0" * 40).status_code == 401
    response = _api(valid)
    assert response.status_code == 429
    wait = settings.LOGIN_LOCKOUT_MINUTES * 60
    assert response.json()["detail"] == (
        f"Too many requests with an invalid API token from your address. "
        f"Try again in {wait} seconds."
    )
    assert response["Retry-After"] == str(wait)
    # Another address, and the same address without a token, are not affected.
    assert _api(valid, address="198.51.100.20").status_code == 200
    assert APIClient().get(reverse("initiative-list")).status_code == 401

    frozen.shift(datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1))
    assert _api(valid).status_code == 200
