"""Read-only machine access for deployment pipelines.

A pipeline is a user `pipeline-<name>` in the Django group "pipeline" and in no Gatehouse role
group, with an API token. It may GET the gate status of initiatives and nothing else: every
other endpoint's default permission (core.permissions.HasGatehouseRole) wants a role, and no
page lets a user without a role in. The account has no usable password, so it cannot log in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from core.audit import record_audit_event
from core.roles import has_any_role

PIPELINE_GROUP = "pipeline"
PIPELINE_USERNAME_PREFIX = "pipeline-"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")


def is_pipeline_user(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """A user in the "pipeline" group (one query; only asked of users without a role)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.groups.filter(name=PIPELINE_GROUP).exists()


@dataclass(frozen=True)
class PipelineToken:
    user: AbstractBaseUser
    key: str
    user_created: bool
    token_created: bool


@transaction.atomic
def pipeline_token_issue(*, name: str, rotate: bool = False) -> PipelineToken:
    """The API token of pipeline `name`, creating its user, group and token as needed.

    Idempotent: a second call returns the same token and writes nothing. `rotate` replaces the
    token (the old one stops working at once). Refuses a name that is not a lowercase slug and
    an existing `pipeline-<name>` account that holds a Gatehouse role: its token would carry
    that role's rights, which is exactly what a pipeline token must not have.
    """
    if not _NAME.match(name):
        raise ValidationError(
            {"name": "Use lowercase letters, digits and hyphens (e.g. “ci-prod”), at most 61."}
        )
    username = f"{PIPELINE_USERNAME_PREFIX}{name}"
    user_model = get_user_model()
    user, user_created = user_model.objects.select_for_update().get_or_create(
        username=username, defaults={"is_active": True}
    )
    if user_created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif has_any_role(user) or user.is_staff or user.is_superuser:
        raise ValidationError(
            {
                "name": f"{username} is a person's account with a Gatehouse role or admin "
                "rights; choose another pipeline name."
            }
        )
    group, _ = Group.objects.get_or_create(name=PIPELINE_GROUP)
    newly_in_group = not user.groups.filter(pk=group.pk).exists()
    if newly_in_group:
        user.groups.add(group)
    rotated = False
    if rotate:
        rotated = Token.objects.filter(user=user).delete()[0] > 0
    token, token_created = Token.objects.get_or_create(user=user)
    changes: dict[str, list] = {}
    if user_created:
        changes["username"] = [None, username]
    if newly_in_group:
        changes["groups"] = [[], [PIPELINE_GROUP]]
    if token_created:
        changes["api_token"] = ["revoked" if rotated else None, "issued"]
    if changes:
        # The token itself is a secret and never goes into the trail; that one was issued does.
        record_audit_event(
            actor=None,
            action="pipeline_token.rotated" if rotated else "pipeline_token.issued",
            target=user,
            changes=changes,
            reason="manage.py create_pipeline_token" + (" --rotate" if rotate else ""),
        )
    return PipelineToken(
        user=user, key=token.key, user_created=user_created, token_created=token_created
    )
