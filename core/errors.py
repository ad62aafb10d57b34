"""Domain errors raised by services; views and the API translate them into responses."""

from __future__ import annotations

from typing import Any


class ConflictError(Exception):
    """Someone else changed the object since the user loaded it.

    Carries what the other person saved so the UI can show it next to what this user typed.
    """

    def __init__(self, message: str, *, current: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.current = current or {}


class BlockedError(ConflictError):
    """A rule that can never be overridden stops the action (HTTP 409).

    `blocked_by` names each rule ({"criterion", "label", "detail"}), so an API client can say
    which one, and a page can show it next to the disabled button.
    """

    def __init__(self, message: str, *, blocked_by: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.blocked_by = blocked_by
