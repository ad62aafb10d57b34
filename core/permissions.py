"""The API's default permission, apart from core.api so DRF settings import it without a cycle."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from core.roles import has_any_role


class HasGatehouseRole(BasePermission):
    """Authenticated users who hold at least one Gatehouse role; others get 401/403."""

    message = "Your account has no Gatehouse role; ask a governance admin for access."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and has_any_role(request.user))
