"""Audience settings: the roles "Which best describes you?" offers, the reading level each maps
to, and each level's names and target grade. Reader pages load them per request, so a change
shows on the next view.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import ReadingLevel, User
from services.editorial import publishing
from services.reading.personalization import load_audiences
from services.staff import audit
from services.staff.permissions import Permission, require
from services.validation import InvalidFields, clean_text

MIN_GRADE, MAX_GRADE = 1, 20
# Patients' and students' wording is only as plain as its target keeps it; clinicians' may be as
# technical as the sources.
NEEDS_TARGET = (ReadingLevel.PLAIN, ReadingLevel.STANDARD)
ORDER = list(ReadingLevel)  # plain, standard, clinical: from least to most technical


@dataclass
class RoleInput:
    label: str
    level: ReadingLevel


@dataclass
class LevelInput:
    language_name: str
    audience_name: str
    target_grade: float | None


def role_field(key: str, name: str) -> str:
    """The name under which a role's field appears in `InvalidFields.errors`."""
    return f"roles.{key}.{name}"


def level_field(level: ReadingLevel, name: str = "") -> str:
    """The name under which a level's field (or, without `name`, the level) appears in errors."""
    return f"levels.{level.value}" + (f".{name}" if name else "")


def _check(roles: dict[str, RoleInput], levels: dict[ReadingLevel, LevelInput]) -> dict:
    errors: dict[str, str] = {}
    labels: dict[str, str] = {}
    for key, role in roles.items():
        name = role_field(key, "label")
        role.label = clean_text(
            errors, name, role.label, label="the label readers see", max_length=120, required=True
        )
        if role.label and role.label.lower() in labels:
            errors[name] = (
                f"Another role is already labelled “{role.label}”; readers could not tell them "
                "apart."
            )
        labels.setdefault(role.label.lower(), key)
    for level, setting in levels.items():
        setting.language_name = clean_text(
            errors,
            level_field(level, "language_name"),
            setting.language_name,
            label="the name of this wording",
            max_length=60,
            required=True,
        )
        setting.audience_name = clean_text(
            errors,
            level_field(level, "audience_name"),
            setting.audience_name,
            label="who this wording is for",
            max_length=120,
            required=True,
        )
        grade, name = setting.target_grade, level_field(level, "target_grade")
        if grade is None and level in NEEDS_TARGET:
            errors[name] = (
                f"Give {level.value} wording a target grade: it is what keeps it readable."
            )
        elif grade is not None and not MIN_GRADE <= grade <= MAX_GRADE:
            errors[name] = f"Enter a grade from {MIN_GRADE} to {MAX_GRADE}."
    _check_order(levels, errors)
    for level in levels:
        if not any(role.level == level for role in roles.values()):
            errors[level_field(level)] = (
                f"At least one role must read {level.value} wording: otherwise nobody could "
                f"choose it, and links with ?audience={level.value} would show another level."
            )
    return errors


def _check_order(levels: dict[ReadingLevel, LevelInput], errors: dict[str, str]) -> None:
    """A less technical level cannot aim higher than a more technical one."""
    graded = [
        (level, levels[level].target_grade)
        for level in ORDER
        if level in levels and levels[level].target_grade is not None
    ]
    for (lower, lower_grade), (higher, higher_grade) in zip(graded, graded[1:], strict=False):
        name = level_field(lower, "target_grade")
        if lower_grade > higher_grade and name not in errors:
            errors[name] = (
                f"{lower.value.title()} wording cannot aim above {higher.value} wording "
                f"(grade {higher_grade:g})."
            )


def update_settings(
    *,
    roles: dict[str, RoleInput],
    levels: dict[ReadingLevel, LevelInput],
    actor: User,
) -> int:
    """Apply the roles' labels and levels and the levels' names and targets; each changed role or
    level gets its audit row. Returns how many changed.

    :raises InvalidFields: keyed by `role_field` and `level_field`; every problem at once.
    """
    require(actor, Permission.SETTINGS)
    current = load_audiences()
    if set(roles) != {r.key for r in current.roles} or set(levels) != set(current.levels):
        raise InvalidFields(
            {"form": "The roles or levels changed since you opened this page. Reload it."},
            status_code=409,
        )
    errors = _check(roles, levels)
    if errors:
        raise InvalidFields(errors)
    changed = 0
    targets_changed = False
    for role in current.roles:
        changes = audit.field_changes(
            role, {"label": roles[role.key].label, "level": roles[role.key].level}
        )
        if changes:
            changed += 1
            audit.record("settings.role", actor=actor, target=role, changes=changes)
    for level, setting in current.levels.items():
        wanted = levels[level]
        changes = audit.field_changes(
            setting,
            {
                "language_name": wanted.language_name,
                "audience_name": wanted.audience_name,
                "target_grade": wanted.target_grade,
            },
        )
        if changes:
            changed += 1
            targets_changed |= "target_grade" in changes
            audit.record("settings.level", actor=actor, target=setting, changes=changes)
    if changed:
        publishing.note_changed()  # every page names its level and the picker's roles
    if targets_changed:
        publishing.refresh_over_target()
    return changed
