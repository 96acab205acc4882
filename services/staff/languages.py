"""Languages as data (issue 16): an administrator adds or edits a language (its code, names,
readability formula and per-level targets) and its words for the picker's roles and the reading
levels, without a deploy. English, the source language, is edited in the audience settings.

Every problem is reported at once (`InvalidFields`, keyed by the form's field names); nothing is
written unless all of it is valid. Each change is audited, and reader pages are noted as
changed: an enabled language adds addresses, switches and hreflang links to every page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    AudienceRole,
    Language,
    LevelSetting,
    ReadabilityTarget,
    ReadingLevel,
    User,
)
from models.audience import AudienceRoleLabel, LevelSettingName
from services.editorial import publishing
from services.reading.readability import FERNANDEZ_HUERTA, FLESCH_KINCAID
from services.staff import audit
from services.staff.permissions import Permission, require
from services.validation import InvalidFields, clean_text

# The formulas Vetted can measure (services.reading.readability), as staff read them.
FORMULAS = {
    FLESCH_KINCAID: "Flesch–Kincaid grade (English-like; lower is easier, a ceiling per level)",
    FERNANDEZ_HUERTA: "Fernández Huerta ease (Spanish; 0–100, higher is easier, a floor)",
}
# A two- or three-letter ISO 639 code, lower case: it starts the reader's address (/es/…).
CODE = re.compile(r"[a-z]{2,3}")
LEVELS = [ReadingLevel.PLAIN, ReadingLevel.STANDARD, ReadingLevel.CLINICAL]


@dataclass
class LanguageInput:
    code: str
    name: str
    english_name: str
    formula: str
    enabled: bool
    targets: dict[ReadingLevel, str] = field(default_factory=dict)  # as typed: "70", ""
    role_labels: dict[str, str] = field(default_factory=dict)  # by role key
    level_names: dict[ReadingLevel, tuple[str, str]] = field(default_factory=dict)


def all_languages() -> list[Language]:
    return list(db.session.scalars(sa.select(Language).order_by(Language.position, Language.code)))


def words_of(code: str) -> tuple[dict[str, str], dict[ReadingLevel, tuple[str, str]], dict]:
    """A language's role labels (by role key), level names and targets, as stored."""
    labels = dict(
        db.session.execute(
            sa.select(AudienceRole.key, AudienceRoleLabel.label)
            .join(AudienceRoleLabel, AudienceRoleLabel.role_id == AudienceRole.id)
            .where(AudienceRoleLabel.language == code)
        ).all()
    )
    names = {
        n.level: (n.language_name, n.audience_name)
        for n in db.session.scalars(
            sa.select(LevelSettingName).where(LevelSettingName.language == code)
        )
    }
    targets = {
        t.level: t
        for t in db.session.scalars(
            sa.select(ReadabilityTarget).where(ReadabilityTarget.language == code)
        )
    }
    return labels, names, targets


def _target(errors: dict, level: ReadingLevel, typed: str, formula: str) -> float | None:
    name = f"target-{level.value}"
    text = (typed or "").strip().replace(",", ".")
    if not text:
        return None
    low, high = (0, 100) if formula == FERNANDEZ_HUERTA else (1, 20)
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        errors[name] = (
            f"Give the {level.value} target as a number from {low} to {high}, or leave it empty."
        )
        return None
    return value


def _check(data: LanguageInput, *, new: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    data.code = (data.code or "").strip().lower()
    if new:
        if not CODE.fullmatch(data.code):
            errors["code"] = (
                "Enter the language's two- or three-letter ISO 639 code in lower case, such as "
                "“pt” or “fil”."
            )
        elif data.code == SOURCE_LANGUAGE or db.session.get(Language, data.code) is not None:
            errors["code"] = f"There is already a language “{data.code}”: edit it instead."
    data.name = clean_text(
        errors,
        "name",
        data.name,
        label="its name in the language itself",
        max_length=60,
        required=True,
    )
    data.english_name = clean_text(
        errors,
        "english_name",
        data.english_name,
        label="its name in English",
        max_length=60,
        required=True,
    )
    if data.formula not in FORMULAS:
        errors["formula"] = "Choose one of the readability formulas listed."
    for key, label in data.role_labels.items():
        data.role_labels[key] = clean_text(
            errors, f"role-{key}", label, label="the role's label", max_length=120
        )
    for level, (language_name, audience_name) in data.level_names.items():
        words = (
            clean_text(
                errors,
                f"level-{level.value}-language_name",
                language_name,
                label="the wording's name",
                max_length=60,
            ),
            clean_text(
                errors,
                f"level-{level.value}-audience_name",
                audience_name,
                label="who it is for",
                max_length=120,
            ),
        )
        if bool(words[0]) != bool(words[1]):
            missing = "language_name" if not words[0] else "audience_name"
            errors[f"level-{level.value}-{missing}"] = (
                "Give both names for this level, or leave both empty to show the English ones."
            )
        data.level_names[level] = words
    return errors


def save_language(data: LanguageInput, *, actor: User, new: bool) -> Language:
    """Add a language (`new`) or change one, with its targets and words for roles and levels.

    :raises InvalidFields: every problem, keyed by field name; nothing is written.
    :raises DomainError: the source language (English) is edited in the audience settings.
    """
    require(actor, Permission.SETTINGS)
    if not new and data.code == SOURCE_LANGUAGE:
        raise InvalidFields({"form": "English is edited in the audience settings."})
    errors = _check(data, new=new)
    targets = {lv: _target(errors, lv, data.targets.get(lv, ""), data.formula) for lv in LEVELS}
    if errors:
        raise InvalidFields(errors)
    if new:
        language = Language(code=data.code, position=_next_position())
        db.session.add(language)
    else:
        found = db.session.get(Language, data.code)
        if found is None:
            raise InvalidFields({"form": "No such language."}, status_code=404)
        language = found
    wanted = {
        "name": data.name,
        "english_name": data.english_name,
        "readability_formula": data.formula,
        "enabled": data.enabled,
    }
    if new:
        for name, value in wanted.items():
            setattr(language, name, value)
        changes = {name: [None, value] for name, value in wanted.items()}
    else:
        changes = audit.field_changes(language, wanted)
    db.session.flush()
    changes.update(_write_targets(data.code, data.formula, targets))
    changes.update(_write_words(data))
    if changes or new:
        audit.record(
            "settings.language_add" if new else "settings.language",
            actor=actor,
            target=language,
            changes=changes,
        )
        publishing.note_changed()
    return language


def _next_position() -> int:
    return (db.session.scalar(sa.select(sa.func.max(Language.position))) or 0) + 1


def _write_targets(code: str, formula: str, targets: dict) -> dict:
    changes = {}
    direction = "at_least" if formula == FERNANDEZ_HUERTA else "at_most"
    stored = {
        t.level: t
        for t in db.session.scalars(
            sa.select(ReadabilityTarget).where(ReadabilityTarget.language == code)
        )
    }
    for level, value in targets.items():
        row = stored.get(level)
        before = (row.target, row.direction) if row else None
        after = (value, direction) if value is not None else None
        if before == after:
            continue
        changes[f"target_{level.value}"] = [before[0] if before else None, value]
        if row is not None and value is None:
            db.session.delete(row)
        elif row is None:
            db.session.add(
                ReadabilityTarget(language=code, level=level, target=value, direction=direction)
            )
        else:
            row.target, row.direction = value, direction
    return changes


def _write_words(data: LanguageInput) -> dict:
    changes = {}
    roles = {r.key: r for r in db.session.scalars(sa.select(AudienceRole))}
    labels, names, _targets = words_of(data.code)
    for key, label in data.role_labels.items():
        role = roles.get(key)
        if role is None or labels.get(key, "") == label:
            continue
        changes[f"role_{key}"] = [labels.get(key), label or None]
        row = db.session.get(AudienceRoleLabel, (role.id, data.code))
        if row is not None and not label:
            db.session.delete(row)
        elif row is None:
            db.session.add(AudienceRoleLabel(role_id=role.id, language=data.code, label=label))
        else:
            row.label = label
    levels = set(db.session.scalars(sa.select(LevelSetting.level)))
    for level, words in data.level_names.items():
        if level not in levels or names.get(level, ("", "")) == words:
            continue
        changes[f"level_{level.value}"] = [
            list(names[level]) if level in names else None,
            list(words) if words[0] else None,
        ]
        row = db.session.get(LevelSettingName, (level, data.code))
        if row is not None and not words[0]:
            db.session.delete(row)
        elif row is None:
            db.session.add(
                LevelSettingName(
                    level=level, language=data.code, language_name=words[0], audience_name=words[1]
                )
            )
        else:
            row.language_name, row.audience_name = words
    return changes
