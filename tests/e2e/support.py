"""What the browser tests share besides their fixtures (tests/e2e/conftest.py)."""

from __future__ import annotations


def log_in(page, username: str, password: str = "pw") -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/initiatives/")
