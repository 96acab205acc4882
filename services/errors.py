"""Domain errors services raise; blueprints map them to HTTP statuses (409, 403, 400)."""


class DomainError(Exception):
    """Base for rule violations a user can be told about."""

    status_code = 400


class InvalidTransition(DomainError):
    """The review state machine does not allow this step from the current state."""

    status_code = 409


class NotPermitted(DomainError):
    """The acting user may not do this."""

    status_code = 403
