"""Wordings per language: each section variant has a language, translations record their source

Issue 16. A section's wording exists per reading level and language; existing rows are English.
A translation records the English it translates (the revision, and a digest of that English
text), so a page can say when the English has moved on since. Questions and headings carry
their translations beside them (JSON by language code), so a revision stays one snapshot.
Spanish wording is measured by its own formula (`reading_ease`: Fernández Huerta) against
per-language targets seeded here: plain at least 70 ("bastante fácil"), standard at least 60.
The render-once cache is keyed by language too; its rows are garbage to rebuild, so the table is
made again rather than altered (SQLite cannot change a primary key in place).

Revision ID: f3b9d6e2a4c1
Revises: b3d1f6a8c2e4
Create Date: 2026-12-07 20:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3b9d6e2a4c1"
down_revision = "b3d1f6a8c2e4"
branch_labels = None
depends_on = None

LEVEL = sa.Enum(
    "plain", "standard", "clinical", name="readinglevel", native_enum=False, length=20
)


def _rendered_revisions(with_language: bool) -> None:
    op.drop_table("rendered_revisions")
    key = ["revision_id", "level", "glossary_version", "references_fingerprint"]
    language = [sa.Column("language", sa.String(length=8), nullable=False)]
    op.create_table(
        "rendered_revisions",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("level", LEVEL, nullable=False),
        *(language if with_language else []),
        sa.Column("glossary_version", sa.Integer(), nullable=False),
        sa.Column("references_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.id"],
            name=op.f("fk_rendered_revisions_revision_id_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            *(key[:2] + ["language"] + key[2:] if with_language else key),
            name=op.f("pk_rendered_revisions"),
        ),
    )


def upgrade():
    with op.batch_alter_table("section_variants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )
        batch_op.add_column(sa.Column("reading_ease", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("source_revision_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source_digest", sa.String(length=32), nullable=True))
        batch_op.drop_constraint("uq_section_variants_section_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_section_variants_section_id"), ["section_id", "level", "language"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_section_variants_language_languages"), "languages", ["language"], ["code"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_section_variants_source_revision_id_revisions"),
            "revisions",
            ["source_revision_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("sections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heading_translations", sa.JSON(), nullable=True))
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_translations", sa.JSON(), nullable=True))
    targets = op.create_table(
        "readability_targets",
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("level", LEVEL, nullable=False),
        sa.Column("target", sa.Double(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["language"], ["languages.code"], name=op.f("fk_readability_targets_language_languages")
        ),
        sa.PrimaryKeyConstraint("language", "level", name=op.f("pk_readability_targets")),
    )
    op.bulk_insert(
        targets,
        [
            {"language": "es", "level": "plain", "target": 70.0, "direction": "at_least"},
            {"language": "es", "level": "standard", "target": 60.0, "direction": "at_least"},
        ],
    )
    _rendered_revisions(with_language=True)


def downgrade():
    _rendered_revisions(with_language=False)
    op.drop_table("readability_targets")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild of `revisions` would trip the staff
    # search triggers that name it (migration d5e8f3a1c7b2).
    op.execute("ALTER TABLE revisions DROP COLUMN question_translations")
    op.execute("ALTER TABLE sections DROP COLUMN heading_translations")
    # Translations cannot be English rows: they go with the columns that describe them.
    op.execute("DELETE FROM section_variants WHERE language <> 'en'")
    with op.batch_alter_table("section_variants", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_section_variants_source_revision_id_revisions"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_section_variants_language_languages"), type_="foreignkey"
        )
        batch_op.drop_constraint("uq_section_variants_section_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_section_variants_section_id"), ["section_id", "level"]
        )
        batch_op.drop_column("source_digest")
        batch_op.drop_column("source_revision_id")
        batch_op.drop_column("reading_ease")
        batch_op.drop_column("language")
