"""Who reads Vetted: the roles offered by "Which best describes you?" and their reading levels.

Data, not constants: admins edit labels, mappings and target grades without a deploy.
"""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import ReadingLevel, enum_column


class LevelSetting(db.Model):
    __tablename__ = "reading_levels"

    level: Mapped[ReadingLevel] = mapped_column(enum_column(ReadingLevel), primary_key=True)
    language_name: Mapped[str] = mapped_column(String(60))  # "plain language"
    audience_name: Mapped[str] = mapped_column(String(120))  # "patients and caregivers"
    # Flesch-Kincaid grade a variant at this level should not exceed; NULL means no cap.
    target_grade: Mapped[float | None]


class AudienceRole(db.Model):
    __tablename__ = "audience_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    level: Mapped[ReadingLevel] = mapped_column(enum_column(ReadingLevel))
    position: Mapped[int] = mapped_column(default=0)


# The picker's words in other languages (issue 16): data beside the English row, so a language an
# admin adds can be given its own without a deploy. A missing row shows the English wording.
class AudienceRoleLabel(db.Model):
    __tablename__ = "audience_role_labels"

    role_id: Mapped[int] = mapped_column(
        ForeignKey("audience_roles.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(
        String(8), ForeignKey("languages.code", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(120))  # "Paciente o cuidador"


class LevelSettingName(db.Model):
    __tablename__ = "reading_level_names"

    level: Mapped[ReadingLevel] = mapped_column(
        enum_column(ReadingLevel),
        ForeignKey("reading_levels.level", ondelete="CASCADE"),
        primary_key=True,
    )
    language: Mapped[str] = mapped_column(
        String(8), ForeignKey("languages.code", ondelete="CASCADE"), primary_key=True
    )
    language_name: Mapped[str] = mapped_column(String(60))  # "lenguaje sencillo"
    audience_name: Mapped[str] = mapped_column(String(120))  # "pacientes y cuidadores"
