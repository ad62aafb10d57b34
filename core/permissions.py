"""What every page and endpoint asks first: does the user hold a Gatehouse role?

One message for "no role" (pages, API and services alike), the page decorator, and the API's
default permission (here rather than in core.api so DRF settings import it without a cycle).
Each app's `permissions.py` answers the finer questions (`can_*`) and names its own messages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from core.roles import User, has_any_role

NO_ROLE_MESSAGE = "Your account has no Gatehouse role; ask a governance admin for access."

View = Callable[..., HttpResponse]


def require(allowed: bool, message: str) -> None:
    """Refuse with 403 and `message` unless `allowed`: the one way views and services say no."""
    if not allowed:
        raise PermissionDenied(message)


def require_role(user: User) -> None:
    require(has_any_role(user), NO_ROLE_MESSAGE)


def role_required(
    check: Callable[[User], bool] = has_any_role, message: str = NO_ROLE_MESSAGE
) -> Callable[[View], View]:
    """Page decorator: sign in first (redirect), then a Gatehouse role, then `check` (403).

    A user without any role is told so, whatever `check` would say; one with a role who fails
    `check` gets `message`.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_role(request.user)
            require(check(request.user), message)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


class HasGatehouseRole(BasePermission):
    """Authenticated users who hold at least one Gatehouse role; others get 401/403."""

    message = NO_ROLE_MESSAGE

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and has_any_role(request.user))
