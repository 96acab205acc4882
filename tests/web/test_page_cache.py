"""The whole-page cache: one query for a repeat anonymous view, a 304 without rendering, and never
a stale or personal page."""

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from config import AUDIENCE_COOKIE
from extensions import db
from models import Article, GlossaryTerm, Role
from services.editorial import review
from services.editorial.revisions import SectionInput, save_revision
from tests.factories import make_user
from web import rendering

SEED = "/articles/all-blast-crisis-treatment"
APPROVED = "/articles/ph-positive-all-tki"
HX = {"HX-Request": "true"}


@pytest.fixture
def reader(demo, app_factory):
    """An anonymous reader of the app as production runs it (CSRF on, no session)."""
    return app_factory(WTF_CSRF_ENABLED=True).test_client()


@pytest.fixture
def renders(monkeypatch):
    """Count page renderings (whole pages and fragments)."""
    calls = []
    real = rendering.render_template

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering, "render_template", counting)
    return calls


def _statements(client, path, **kwargs):
    """The response, and how many SQL statements the client's own app ran for it."""
    seen = []

    def count(*_args):
        seen.append(1)

    with client.application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path, **kwargs)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, len(seen)


@pytest.mark.parametrize("path", ["/", "/topics", SEED, SEED + "?audience=plain", "/glossary"])
def test_a_repeat_view_is_one_query_and_the_same_page(reader, path):
    first = reader.get(path)
    assert "X-Page-Cache" not in first.headers
    again, statements = _statements(reader, path)
    assert again.headers["X-Page-Cache"] == "hit" and statements == 1
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_conditional_view_is_answered_without_rendering(reader, renders):
    etag = reader.get(SEED).headers["ETag"]
    rendered = len(renders)
    response, statements = _statements(reader, SEED, headers={"If-None-Match": etag})
    assert response.status_code == 304 and statements == 1
    assert len(renders) == rendered


def test_compressed_bodies_are_made_once_and_served_as_asked(reader):
    plain = reader.get(SEED).get_data()
    for encoding in ("br", "gzip"):
        response = reader.get(SEED, headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
    import brotli

    assert (
        brotli.decompress(reader.get(SEED, headers={"Accept-Encoding": "br"}).get_data()) == plain
    )


def test_an_approval_is_what_the_next_reader_sees(reader):
    before = reader.get(APPROVED).get_data(as_text=True)
    assert "Test wording after approval" not in before
    article = db.session.scalar(sa.select(Article).where(Article.slug == "ph-positive-all-tki"))
    author, reviewer = make_user(role=Role.EDITOR), make_user(role=Role.REVIEWER, credentials="MD")
    revision = save_revision(
        article,
        author=author,
        question=article.question,
        sections=[
            SectionInput(s.kind, s.heading, {v.level: v.body for v in s.variants})
            for s in article.live_revision.sections
        ]
        + [
            SectionInput(
                s.kind,
                "Test heading",
                {v.level: "Test wording after approval." for v in s.variants},
            )
            for s in article.live_revision.sections[1:2]
        ],  # fmt: skip
    )
    db.session.commit()
    assert reader.get(APPROVED).headers["X-Page-Cache"] == "hit", "a draft changes nothing public"
    review.submit(revision, actor=author)
    review.start_review(revision, reviewer=reviewer)
    review.approve(revision, reviewer=reviewer, override_reason="Test")
    db.session.commit()
    after = reader.get(APPROVED)
    assert "X-Page-Cache" not in after.headers
    assert "Test wording after approval" in after.get_data(as_text=True)


def test_a_glossary_edit_shows_on_the_next_view(reader):
    assert reader.get(SEED + "?audience=plain").status_code == 200
    term = db.session.scalar(sa.select(GlossaryTerm).where(GlossaryTerm.abbr == "TKI"))
    term.definition = "Test definition of a targeted drug."
    db.session.commit()
    response = reader.get(SEED + "?audience=plain")
    assert "Test definition of a targeted drug." in response.get_data(as_text=True)


def test_the_swap_comes_back_with_its_address_and_cookie(reader):
    first = reader.get(SEED + "?role=patient", headers=HX)
    cookie = first.headers["Set-Cookie"]
    reader.delete_cookie(AUDIENCE_COOKIE)
    again = reader.get(SEED + "?role=patient", headers=HX)
    assert again.headers["X-Page-Cache"] == "hit"
    assert again.headers["HX-Push-Url"] == SEED + "?audience=plain"
    assert again.headers["Set-Cookie"] == cookie


def test_signed_in_staff_are_never_served_or_stored(demo, client, auth):
    auth.login(Role.EDITOR)
    for _ in range(2):
        response = client.get(SEED)
        assert "X-Page-Cache" not in response.headers
        assert "Sign out" in response.get_data(as_text=True)
    from models import CachedPage

    assert db.session.scalar(sa.select(sa.func.count()).select_from(CachedPage)) == 0
