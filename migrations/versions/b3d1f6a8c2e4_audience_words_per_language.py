"""The picker's roles and the level names per language, Spanish seeded

Issue 16: a Spanish page's "Which best describes you?" reads "Paciente o cuidador". The English
words stay on audience_roles and reading_levels (staff edit them there); each other language's
are rows here, so a language an admin adds can be given its own without a deploy.

Revision ID: b3d1f6a8c2e4
Revises: e1a7c0d4b9f2
Create Date: 2026-12-07 20:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3d1f6a8c2e4"
down_revision = "e1a7c0d4b9f2"
branch_labels = None
depends_on = None

ROLE_LABELS_ES = {
    "patient": "Paciente o cuidador",
    "student": "Estudiante",
    "allied": "Profesional de enfermería, farmacia u otra área de la salud",
    "physician": "Médico o profesional clínico de práctica avanzada",
}
LEVEL_NAMES_ES = {
    "plain": ("lenguaje sencillo", "pacientes y cuidadores"),
    "standard": (
        "redacción estándar",
        "estudiantes, profesionales de enfermería y farmacia, y otros profesionales de la salud",
    ),
    "clinical": ("redacción clínica", "médicos y profesionales clínicos de práctica avanzada"),
}


def upgrade():
    op.create_table(
        "audience_role_labels",
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["audience_roles.id"],
            name=op.f("fk_audience_role_labels_role_id_audience_roles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["language"],
            ["languages.code"],
            name=op.f("fk_audience_role_labels_language_languages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", "language", name=op.f("pk_audience_role_labels")),
    )
    op.create_table(
        "reading_level_names",
        sa.Column(
            "level",
            sa.Enum(
                "plain",
                "standard",
                "clinical",
                name="readinglevel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("language_name", sa.String(length=60), nullable=False),
        sa.Column("audience_name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["level"],
            ["reading_levels.level"],
            name=op.f("fk_reading_level_names_level_reading_levels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["language"],
            ["languages.code"],
            name=op.f("fk_reading_level_names_language_languages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("level", "language", name=op.f("pk_reading_level_names")),
    )
    connection = op.get_bind()
    for key, label in ROLE_LABELS_ES.items():
        # By key: the roles' ids are whatever the database gave them.
        connection.execute(
            sa.text(
                "INSERT INTO audience_role_labels (role_id, language, label) "
                "SELECT id, 'es', :label FROM audience_roles WHERE key = :key"
            ),
            {"key": key, "label": label},
        )
    for level, (language_name, audience_name) in LEVEL_NAMES_ES.items():
        connection.execute(
            sa.text(
                "INSERT INTO reading_level_names (level, language, language_name, audience_name) "
                "SELECT level, 'es', :language_name, :audience_name FROM reading_levels "
                "WHERE level = :level"
            ),
            {"level": level, "language_name": language_name, "audience_name": audience_name},
        )


def downgrade():
    op.drop_table("reading_level_names")
    op.drop_table("audience_role_labels")
