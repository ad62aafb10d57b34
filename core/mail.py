"""What every app's emails share: links back to the site, and who can be written to."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser


def absolute_url(path: str) -> str:
    """`path` on the site as people reach it (SITE_URL), for links in emails."""
    return settings.SITE_URL.rstrip("/") + path


def email_addresses(people: Iterable[AbstractBaseUser | None]) -> list[str]:
    """Distinct addresses of the named, active people with an email, in the order given."""
    found = (person.email for person in people if person and person.is_active and person.email)
    return list(dict.fromkeys(found))


def one_line(text: str) -> str:
    """`text` with its line breaks and runs of spaces folded, for a subject line."""
    return " ".join(text.split())
