from __future__ import annotations

from django.http import HttpRequest

from core.roles import Role, user_roles


def roles(request: HttpRequest) -> dict[str, object]:
    held = user_roles(getattr(request, "user", None))
    return {
        "user_roles": held,
        "role_labels": sorted(role.label for role in held),
        "is_governance_admin": Role.GOVERNANCE_ADMIN in held,
    }
