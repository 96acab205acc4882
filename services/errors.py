"""Domain errors services raise; blueprints map them to HTTP statuses (409, 403, 400)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models import Revision


class DomainError(Exception):
    """Base for rule violations a user can be told about."""

    status_code = 400


class InvalidTransition(DomainError):
    """The review state machine does not allow this step from the current state."""

    status_code = 409


class NotPermitted(DomainError):
    """The acting user may not do this."""

    status_code = 403


class Conflict(DomainError):
    """A save started from a revision that is no longer the latest: merge, then save again."""

    status_code = 409

    def __init__(self, message: str, *, latest: Revision, base_id: int | None):
        super().__init__(message)
        self.latest = latest
        self.base_id = base_id
