"""What every app's emails share: links back to the site, and who can be written to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

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


@contextmanager
def emails_not_sent() -> Iterator[None]:
    """Send nothing while the block runs, including what is queued to go after its commit.

    For the demo's seed commands: they replay a story through the real services, and the
    notifications those services send would tell the demo's people about decisions taken
    "months ago", hundreds of them, on the console of `make run` (or, with SMTP configured, in
    their inboxes). Tasks run in-process when no broker is configured, as in `make run`.
    """
    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = backend
