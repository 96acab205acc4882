"""Fixtures the staff editor's tests share: an editor signed in on `client` (with one reference
to cite), and an approved article for them to work on. A module that needs another editor or
article defines its own fixture of the same name, which takes precedence."""

from __future__ import annotations

import pytest

from extensions import db
from tests.factories import make_article, make_reference
from tests.web.test_editor import login, staff


@pytest.fixture
def editor(app, client):
    make_reference("ref")
    user = staff()
    db.session.commit()
    login(client, user)
    return user


@pytest.fixture
def article(editor):
    made = make_article(status="approved", question="Test question?")
    db.session.commit()
    return made
