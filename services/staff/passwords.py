"""Staff passwords: the rule (long, and not one of the common passwords zxcvbn ships) and the
argon2id hashes they are stored as."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

# argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile) unless `use_profile` says.
_hasher = PasswordHasher()

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


def use_profile(name: str) -> None:
    """Hash new passwords with one of argon2-cffi's named parameter sets (`argon2.profiles`);
    the app sets it once at start from PASSWORD_HASH_PROFILE. Stored hashes carry their own
    parameters, so any of them still verifies (and is rehashed at the next sign-in)."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(getattr(profiles, name))


def hash_password(password: str) -> str:
    """An argon2id hash of `password`, with the parameters in use."""
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one `password_hash` was made from."""
    if not password_hash:
        return False
    if not password_hash.startswith("$argon2"):
        # Accounts created before argon2id carry werkzeug's scrypt hash; upgraded at sign-in.
        return check_password_hash(password_hash, password)
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str | None) -> bool:
    """Whether a stored hash predates argon2id or the parameters in use."""
    return bool(password_hash) and (
        not password_hash.startswith("$argon2") or _hasher.check_needs_rehash(password_hash)
    )
