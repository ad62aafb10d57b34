"""What every page and endpoint asks first: does the user hold a Gatehouse role?

One message for "no role" (pages, API and services alike), the page decorator, and the API's
default permissions (here rather than in core.api so DRF settings import them without a cycle).
Each app's `permissions.py` answers the finer questions (`can_*`) and names its own messages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS, BasePermission
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


# A role-level rule of a write: who may ever do it (user -> bool), and what the others are told.
WriteRule = tuple[Callable[[User], bool], str]


class WriteRoleRequired(BasePermission):
    """The role-level half of a write, asked before the body is read or the object looked up.

    A viewset lists its write actions in `write_roles` ({action: (check, message)}); a POST,
    PUT, PATCH or DELETE through a listed action is refused with `message` (403) unless
    `check(user)`. So a role that may never write there (an auditor posting `{}`) is told so,
    rather than what is wrong with a body it may not send. The object-level rules (the owner of
    this initiative, …) stay in the views and services, after the body is read where they need it.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        rule: WriteRule | None = getattr(view, "write_roles", {}).get(getattr(view, "action", None))
        if rule is not None:
            check, message = rule
            require(check(request.user), message)
        return True
