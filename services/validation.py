"""Input a service refuses field by field, so a form can show each message beside its field."""

from __future__ import annotations

import re

from services.errors import DomainError

# Characters no form may send: C0 controls but tab, newline and carriage return; DEL; and lone
# surrogates (not text at all). PostgreSQL refuses NUL in text outright; the rest are invisible,
# break rendering or copying, and are never what a person meant to type.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


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


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a character no form may send (CONTROL_CHARACTERS)."""
    return CONTROL_CHARACTERS.search(text) is not None


def without_control_characters(text: str) -> str:
    """`text` with those characters removed: what to show back after refusing it."""
    return CONTROL_CHARACTERS.sub("", text)
