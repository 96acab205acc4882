"""Each translation says whether its revision's English changed since the English it
translates (`section_variants.lags`), so the staff dashboard's "Translations out of date" list is
one indexed query, not a digest comparison per wording

A revision never changes once written, so a translation's lag is settled when it is saved
(services.editorial.translations.assign_sources sets it). Existing translations are measured
here the way `translations.lags` does: a blake2b-128 digest of the English wording at the same
level, else the nearest more technical one an English reader at that level is shown.

Revision ID: a9c4e7b2d1f5
Revises: a7c2e9d4b1f6
Create Date: 2026-12-07 21:00:00.000000

"""

import hashlib

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a9c4e7b2d1f5"
down_revision = "a7c2e9d4b1f6"
branch_labels = None
depends_on = None

# A reader at a level without its own wording is shown the nearest more technical one.
FALLBACK = {
    "plain": ["plain", "standard", "clinical"],
    "standard": ["standard", "clinical", "plain"],
    "clinical": ["clinical", "standard", "plain"],
}


def _digest(body: str) -> str:
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


def upgrade():
    with op.batch_alter_table("section_variants") as batch:
        batch.add_column(
            sa.Column("lags", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index("ix_section_variants_lags", ["lags", "section_id"])
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, section_id, level, source_digest FROM section_variants "
            "WHERE language != 'en' AND source_digest IS NOT NULL"
        )
    ).all()
    if not rows:
        return
    english: dict[int, dict[str, str]] = {}
    for section_id, level, body in bind.execute(
        sa.text("SELECT section_id, level, body FROM section_variants WHERE language = 'en'")
    ):
        english.setdefault(section_id, {})[level] = body
    lagging = []
    for variant_id, section_id, level, digest in rows:
        bodies = english.get(section_id, {})
        shown = next((bodies[lv] for lv in FALLBACK.get(level, [level]) if lv in bodies), None)
        if (_digest(shown) if shown is not None else None) != digest:
            lagging.append(variant_id)
    for variant_id in lagging:
        bind.execute(
            sa.text("UPDATE section_variants SET lags = :yes WHERE id = :id"),
            {"yes": True, "id": variant_id},
        )


def downgrade():
    with op.batch_alter_table("section_variants") as batch:
        batch.drop_index("ix_section_variants_lags")
        batch.drop_column("lags")
