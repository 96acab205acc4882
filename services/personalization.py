"""Who is reading: the audience roles offered by "Which best describes you?" and their levels."""

from __future__ import annotations

from dataclasses import dataclass

from models import ReadingLevel

COOKIE_NAME = "vetted_audience"
COOKIE_MAX_AGE = 365 * 24 * 3600
DEFAULT_LEVEL = ReadingLevel.CLINICAL  # the seed's content is for healthcare professionals


@dataclass(frozen=True)
class AudienceRole:
    key: str
    label: str
    level: ReadingLevel


ROLES = (
    AudienceRole("patient", "Patient or caregiver", ReadingLevel.PLAIN),
    AudienceRole("student", "Student", ReadingLevel.STANDARD),
    AudienceRole(
        "allied", "Nurse, pharmacist or allied health professional", ReadingLevel.STANDARD
    ),
    AudienceRole("physician", "Physician or advanced practice clinician", ReadingLevel.CLINICAL),
)
LEVEL_NAMES = {
    ReadingLevel.PLAIN: "patients and caregivers",
    ReadingLevel.STANDARD: "students, nurses, pharmacists and allied health professionals",
    ReadingLevel.CLINICAL: "physicians and advanced practice clinicians",
}


def role_by_key(key: str | None) -> AudienceRole | None:
    return next((r for r in ROLES if r.key == key), None)


def parse_level(value: str | None) -> ReadingLevel | None:
    try:
        return ReadingLevel(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Audience:
    """The reader's current choice: a role when they picked one, and the level it maps to."""

    role: AudienceRole | None
    level: ReadingLevel

    @property
    def chosen(self) -> bool:
        return self.role is not None

    @property
    def description(self) -> str:
        return LEVEL_NAMES[self.level]


def resolve(query_level: str | None, remembered_role: str | None) -> Audience:
    """`?audience=` wins over the remembered role; nothing chosen means clinical wording."""
    remembered = role_by_key(remembered_role)
    level = parse_level(query_level)
    if level is not None:
        role = remembered if remembered and remembered.level == level else None
        role = role or next(r for r in ROLES if r.level == level)
        return Audience(role, level)
    if remembered:
        return Audience(remembered, remembered.level)
    return Audience(None, DEFAULT_LEVEL)
