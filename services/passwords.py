"""The staff password rule: long, and not one of the common passwords zxcvbn ships."""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_PASSWORD = 12
MAX_PASSWORD = 256  # argon2 hashes anything, but a megabyte password is an attack, not a password


@cache
def _common() -> frozenset[str]:
    """The 30,000 most common passwords of real leaks, bundled with the zxcvbn package."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with `password`, as sentences to show beside the field (empty: fine)."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"Use at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        problems.append(f"Use at most {MAX_PASSWORD} characters.")
    folded = password.lower()
    # Short names ("Jo", "Al") are inside too many words to refuse every password containing them.
    personal = {
        part
        for part in (email.lower(), email.split("@")[0].lower(), name.lower().replace(" ", ""))
        if len(part) >= 4
    }
    if folded in _common() or folded.rstrip("0123456789!") in _common():
        problems.append("That is one of the most common passwords; choose another.")
    elif len(set(folded)) <= 3:
        problems.append("Use more than a few different characters.")
    elif any(p and p in folded.replace(" ", "") for p in personal):
        problems.append("Don’t use your name or email address in your password.")
    return problems
