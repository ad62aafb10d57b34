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
