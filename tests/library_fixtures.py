"""Fixtures the library tests share (import them into a test module to use them)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from extensions import db
from models import AudienceRole, LevelSetting
from services.reading.personalization import load_audiences


@pytest.fixture
def keep_audiences(app):
    """Put the audience roles and levels back after the test: the migration seeds them, and
    `wipe` leaves them in place between tests."""
    audiences = load_audiences()
    roles = {r.key: (r.label, r.level) for r in audiences.roles}
    levels = {
        lv: (s.language_name, s.audience_name, s.target_grade) for lv, s in audiences.levels.items()
    }
    db.session.commit()
    yield
    db.session.rollback()
    for role in db.session.scalars(sa.select(AudienceRole)):
        role.label, role.level = roles[role.key]
    for setting in db.session.scalars(sa.select(LevelSetting)):
        setting.language_name, setting.audience_name, setting.target_grade = levels[setting.level]
    db.session.commit()
