"""The stored flag the dashboard's "Translations out of date" starts from
(`Article.public_translations_behind`): set and cleared with the public revision, never by a
superseded revision's lagging wording."""

from __future__ import annotations

import sqlalchemy as sa

from extensions import db
from models import Article
from services.editorial.publishing import translations_behind
from services.staff import worklists
from tests.factories import make_reference
from tests.web.test_editor_languages import _lagging_article, approve_still_current


def _listed() -> set[str]:
    sections = db.session.scalars(worklists._translations_behind()).all()
    return {s.revision.article.slug for s in sections}


def test_the_flag_follows_the_public_revision(app):
    make_reference("ref")
    behind, other = _lagging_article("behind"), _lagging_article("other")
    db.session.commit()
    assert behind.public_translations_behind and other.public_translations_behind
    assert _listed() == {"behind", "other"}

    # The Spanish is marked as still current and approved: the public revision no longer lags,
    # though the superseded one's wording still does.
    latest = approve_still_current(behind)
    assert not behind.public_translations_behind
    assert translations_behind(latest.id), "the older revision's wording still lags"
    assert _listed() == {"other"}

    # The stored flag agrees with the condition it stands for, for every article.
    for article in db.session.scalars(sa.select(Article)):
        expected = article.public_revision_id is not None and translations_behind(
            article.public_revision_id
        )
        assert article.public_translations_behind == expected, article.slug
