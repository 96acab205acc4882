"""Input a service refuses field by field, so a form can show each message beside its field."""

from __future__ import annotations

from services.errors import DomainError


class InvalidFields(DomainError):
    """One or more fields break a rule; `errors` maps each field's name to what is wrong.

    422 by default; 409 when the input is fine but clashes with what is stored (a duplicate DOI,
    a changed record).
    """

    status_code = 422

    def __init__(self, errors: dict[str, str], *, status_code: int | None = None):
        self.errors = errors
        if status_code is not None:
            self.status_code = status_code
        super().__init__(" ".join(errors.values()))


def clean_text(
    errors: dict[str, str],
    name: str,
    value: str | None,
    *,
    label: str,
    max_length: int,
    required: bool = False,
) -> str:
    """Trimmed text, with a message in `errors` when it is missing or too long."""
    text = " ".join((value or "").split())
    if required and not text:
        errors[name] = f"Enter {label}."
    elif len(text) > max_length:
        errors[name] = f"Use at most {max_length} characters (this is {len(text)})."
    return text


def like_contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere; its own % and _ escaped with a backslash."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
