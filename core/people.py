"""How a person is named wherever the app shows one."""

from __future__ import annotations

from typing import Any


def display_name(user: Any, empty: str = "") -> str:
    """A user's full name, else their username; `empty` when there is nobody (e.g. a deleted
    account on a record that outlived it)."""
    if user is None or user == "":
        return empty
    return user.get_full_name() or user.get_username()
