"""Throttled password guessing: on the login pages (django-axes) and with API tokens.

Logins are counted per account *and* address (axes' lockout parameters [username, ip_address]):
after LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that username is
refused from that address, even with the right password, for LOGIN_LOCKOUT_MINUTES after the
last counted failure. The same person from another address, and other accounts from the same
address, are not locked: a guesser cannot lock a colleague out from elsewhere, and one office
behind one address does not lock itself out. A successful login resets the count.

The API takes no password (token or session only), so nothing there guesses passwords; but
tokens can be guessed too, so an address that sends API_TOKEN_FAILURE_LIMIT invalid tokens
gets 429 for any token for LOGIN_LOCKOUT_MINUTES. Those failures are counted in Django's cache
(in-process with the default local-memory cache: each server process counts its own).
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.request import Request

LOCKED_OUT_STATUS = 429


def client_ip_address(request: HttpRequest) -> str | None:
    """The address a request came from, as the throttles count it.

    Behind TRUSTED_PROXY_COUNT proxies that each append to X-Forwarded-For, the client is the
    entry the outermost trusted proxy added; anything further left was sent by the client and
    could be forged. Without proxies it is the connection's own address.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_minutes() -> int:
    return settings.LOGIN_LOCKOUT_MINUTES


def lockout_message(*, locked_until: datetime.datetime, now: datetime.datetime) -> str:
    """What a locked-out person reads: why, and when to try again."""
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    until = timezone.localtime(locked_until)
    at = f"{until:%H:%M}"
    if until.date() != timezone.localtime(now).date():
        at = f"{until:%-d %B %Y} at {at}"
    return (
        "Too many failed log-in attempts for this account from your address. "
        f"Try again at {at} (in {minutes} minute{'' if minutes == 1 else 's'})."
    )


def _locked_until(username: str | None, ip_address: str | None) -> datetime.datetime:
    last_failure = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    return (last_failure or timezone.now()) + datetime.timedelta(minutes=lockout_minutes())


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The login page again, with the lockout in words and status 429 (AXES_LOCKOUT_CALLABLE).

    Also answers the admin's login page: one message wherever a password was tried.
    """
    username = get_client_username(request, credentials)
    message = lockout_message(
        locked_until=_locked_until(username, getattr(request, "axes_ip_address", None)),
        now=timezone.now(),
    )
    form = AuthenticationForm(request, initial={"username": username or ""})
    response = TemplateResponse(
        request,
        "registration/login.html",
        {
            "form": form,
            "lockout_message": message,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=LOCKED_OUT_STATUS,
    )
    return response.render()


class TokenAttemptsThrottled(exceptions.Throttled):
    default_detail = "Too many requests with an invalid API token from your address."
    extra_detail_singular = "Try again in {wait} second."
    extra_detail_plural = "Try again in {wait} seconds."


def _token_failure_keys(address: str | None) -> tuple[str, str]:
    """The cache keys of an address's invalid-token count and of when its window ends."""
    base = f"gatehouse:api-token-failures:{address}"
    return f"{base}:count", f"{base}:until"


def _count_token_failure(count_key: str, until_key: str, now: float) -> None:
    """One more invalid token from an address. The window of LOGIN_LOCKOUT_MINUTES opens with
    the first failure and ends on its own (both keys expire with it). `add` opens it only if
    it is not open yet and `incr` is atomic (Redis and local memory alike), so failures sent
    at the same moment are each counted, where a read-then-write would lose some."""
    window = max(1, math.ceil(lockout_minutes() * 60))
    cache.add(until_key, now + window, timeout=window)
    cache.add(count_key, 0, timeout=window)
    try:
        cache.incr(count_key)
    except ValueError:
        # The window ended between `add` and `incr`: this failure opens the next one.
        cache.add(count_key, 1, timeout=window)


class ThrottledTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing an address that keeps sending invalid tokens.

    While an address is throttled no token from it is looked up, valid or not: the answer is
    429 with Retry-After. Requests without a token (session, anonymous) are not affected.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        count_key, until_key = _token_failure_keys(client_ip_address(request._request))
        now = timezone.now().timestamp()
        failures = cache.get_many([count_key, until_key])
        if failures.get(count_key, 0) >= settings.API_TOKEN_FAILURE_LIMIT:
            until = failures.get(until_key, now)
            raise TokenAttemptsThrottled(wait=max(1, math.ceil(until - now)))
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            _count_token_failure(count_key, until_key, now)
            raise
