"""The picker's roles and the level names in the page's language (issue 16).

AudienceRole and LevelSetting hold the English words; AudienceRoleLabel and LevelSettingName hold
each other language's, as data. A reader page in another language gets read-only stand-ins with
the same attributes (`role.label`, `setting.language_name`, ...), so templates and the audience
logic read them as they read the rows; a word with no translation stays English. The rows
themselves are never changed: staff screens edit them, in English.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from extensions import db
from models import AudienceRole, AudienceRoleLabel, LevelSetting, LevelSettingName, ReadingLevel


@dataclass(frozen=True)
class RoleInLanguage:
    id: int
    key: str
    label: str
    level: ReadingLevel
    position: int


@dataclass(frozen=True)
class LevelInLanguage:
    level: ReadingLevel
    language_name: str
    audience_name: str
    target_grade: float | None


def in_language(
    roles: list[AudienceRole], levels: dict[ReadingLevel, LevelSetting], language: str
) -> tuple[list[RoleInLanguage], dict[ReadingLevel, LevelInLanguage]]:
    """`roles` and `levels` worded in `language` (two small queries)."""
    labels = dict(
        db.session.execute(
            sa.select(AudienceRoleLabel.role_id, AudienceRoleLabel.label).where(
                AudienceRoleLabel.language == language
            )
        ).all()
    )
    names = {
        row.level: row
        for row in db.session.scalars(
            sa.select(LevelSettingName).where(LevelSettingName.language == language)
        )
    }
    worded_roles = [
        RoleInLanguage(r.id, r.key, labels.get(r.id, r.label), r.level, r.position) for r in roles
    ]
    worded_levels = {
        level: LevelInLanguage(
            level,
            names[level].language_name if level in names else setting.language_name,
            names[level].audience_name if level in names else setting.audience_name,
            setting.target_grade,
        )
        for level, setting in levels.items()
    }
    return worded_roles, worded_levels
