"""The render-once cache: rendered once, shared, and keyed so that edits re-render exactly what
they affect."""

from dataclasses import replace

import pytest
import sqlalchemy as sa

from caching import purge
from caching import renders as render_keys
from caching.versions import SITE
from config import build_id, catalogs_digest
from extensions import db
from models import (
    ContentVersion,
    GlossaryTerm,
    ReadingLevel,
    Reference,
    RenderedRevision,
    Role,
    SectionKind,
)
from services.editorial import review
from services.editorial.publishing import note_changed
from services.editorial.revisions import SectionInput, save_revision
from services.library import glossary, references
from services.library.glossary import TermInput
from services.library.references import ReferenceInput
from services.reading import view
from tests.factories import approved, make_article, make_reference, make_user

L = ReadingLevel


@pytest.fixture
def renders(monkeypatch):
    """Count Markdown renderings (each call renders one section's text)."""
    calls = []
    real = view.render

    def counting(text, *args, **kwargs):
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(view, "render", counting)
    return calls


def _article(text="Ponatinib helps [@ph]."):
    make_reference("ph")
    article = make_article(
        status="approved",
        sections=[
            SectionInput(
                SectionKind.SUMMARY,
                "Short answer",
                {L.CLINICAL: "Yes [@ph].", L.PLAIN: "Yes, a TKI helps [@ph]."},
            ),
            SectionInput(SectionKind.RESEARCH, "From the Research", {L.CLINICAL: text}),
        ],
    )
    db.session.add(
        GlossaryTerm(
            slug="tki", term="tyrosine kinase inhibitor", abbr="TKI", definition="A targeted drug."
        )
    )
    db.session.commit()
    return article


def _view(article, level=L.CLINICAL, **kwargs):
    return view.build_view(
        article,
        level,
        card_url=lambda key: f"/c/{key}",
        glossary_url=lambda term: f"/g#{term.slug}",
        cached=True,
        **kwargs,
    )


def _rows():
    return db.session.scalar(sa.select(sa.func.count()).select_from(RenderedRevision))


def test_a_revision_is_rendered_once_per_level(app, renders):
    article = _article()
    first = _view(article)
    assert len(renders) == 2 and _rows() == 1
    again = _view(article)
    assert len(renders) == 2, "the second view re-rendered"
    assert [s.html for s in again.sections] == [s.html for s in first.sections]
    assert [c.reference.key for c in again.references] == ["ph"]
    _view(article, L.PLAIN)
    assert len(renders) == 4 and _rows() == 2


def test_the_cache_is_shared_by_another_app_instance(app, app_factory, renders):
    article = _article()
    _view(article)
    article_id = article.id  # read before the other app's context: it binds sessions to itself
    db.session.commit()
    other = app_factory()
    with other.app_context():
        from models import Article

        view = _view(db.session.get(Article, article_id))
        assert view.sections and len(renders) == 2


def test_a_glossary_edit_rerenders_marked_wording_only(app, renders):
    article = _article()
    _view(article, L.PLAIN)
    _view(article, L.CLINICAL)
    assert len(renders) == 4
    term = db.session.scalar(sa.select(GlossaryTerm))
    edit = replace(TermInput.of(term), definition="A medicine that blocks a faulty protein.")
    approved(glossary.update_term(term, edit, actor=make_user(role=Role.ADMIN)))
    db.session.commit()
    plain = _view(article, L.PLAIN)
    assert "blocks a faulty protein" in plain.summary.html
    assert len(renders) == 6, "plain wording must be rendered again"
    _view(article, L.CLINICAL)
    assert len(renders) == 6, "clinical wording marks no terms: its rendering still holds"


def test_a_reference_edit_rerenders_only_the_revisions_citing_it(app, renders):
    article = _article()
    make_reference("other")
    untouched = make_article(
        status="approved",
        sections=[SectionInput(SectionKind.RESEARCH, "R", {L.CLINICAL: "Other [@other]."})],
    )
    db.session.commit()
    _view(article)
    _view(untouched)
    assert len(renders) == 3
    ph = db.session.scalar(sa.select(Reference).where(Reference.key == "ph"))
    approved(
        references.update_reference(
            ph, replace(ReferenceInput.of(ph), title="Renamed"), actor=make_user(role=Role.EDITOR)
        )
    )
    db.session.commit()
    _view(untouched)
    assert len(renders) == 3
    _view(article)
    assert len(renders) == 5


def test_creating_a_reference_for_a_broken_key_mends_the_page(app):
    article = make_article(
        status="approved",
        sections=[SectionInput(SectionKind.RESEARCH, "R", {L.CLINICAL: "Claim [@later]."})],
    )
    db.session.commit()
    assert _view(article).broken_keys == ["later"]
    make_reference("later")
    db.session.commit()
    view = _view(article)
    assert view.broken_keys == [] and [c.reference.key for c in view.references] == ["later"]


def test_a_new_approval_shows_new_wording_and_drops_the_old_renderings(app):
    article = _article("Old wording [@ph].")
    old_revision = article.live_revision_id
    _view(article)
    author, reviewer = make_user(role=Role.EDITOR), make_user(role=Role.REVIEWER)
    newer = save_revision(
        article,
        author=author,
        question=article.question,
        sections=[
            SectionInput(
                SectionKind.RESEARCH, "From the Research", {L.CLINICAL: "New wording [@ph]."}
            )
        ],
    )
    review.submit(newer, actor=author)
    review.start_review(newer, reviewer=reviewer)
    review.approve(newer, reviewer=reviewer)
    db.session.commit()
    assert "New wording" in _view(article).sections[0].html
    stale = sa.select(sa.func.count()).where(RenderedRevision.revision_id == old_revision)
    assert db.session.scalar(stale) == 0


def test_a_renderer_change_is_never_hidden_by_an_older_rendering(app, renders, monkeypatch):
    """Renderings are keyed by the renderer's version (its code): after a deploy that renders
    differently, the old rendering is neither served nor kept."""
    article = _article()
    monkeypatch.setattr(view, "RENDERER_VERSION", "before")
    _view(article)
    assert len(renders) == 2 and _rows() == 1
    monkeypatch.setattr(view, "RENDERER_VERSION", "after")
    _view(article)
    assert len(renders) == 4, "a rendering by the older renderer was served"
    assert _rows() == 1, "the older rendering was kept"
    _view(article)
    assert len(renders) == 4


def test_uncached_views_write_nothing(app):
    article = _article()
    view.build_view(article, L.CLINICAL, card_url=str)
    assert _rows() == 0


def _catalogs(folder, words: bytes):
    """A translations folder whose Spanish catalog compiles to `words`."""
    mo = folder / "translations" / "es" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    mo.write_bytes(words)
    return folder


def test_a_catalog_change_is_never_hidden_by_an_older_rendering(
    app, renders, monkeypatch, tmp_path
):
    """A rendering holds the catalogs' words (a citation's screen-reader label, "Referencia"):
    renderings, and whole cached pages (the build id), are keyed by a digest of the compiled
    catalogs, so new words are never hidden by a copy made with the older ones."""
    older = catalogs_digest(_catalogs(tmp_path / "older", b"Reference -> Referencia"))
    newer = catalogs_digest(_catalogs(tmp_path / "newer", b"Reference -> Fuente"))
    assert older != newer
    assert build_id(tmp_path / "older") != build_id(tmp_path / "newer")
    article = _article()
    monkeypatch.setattr(render_keys, "catalogs_digest", lambda: older)
    _view(article, language="es")
    assert len(renders) == 2
    monkeypatch.setattr(render_keys, "catalogs_digest", lambda: newer)
    _view(article, language="es")
    assert len(renders) == 4, "a rendering made with the older catalogs was served"
    _view(article, language="es")
    assert len(renders) == 4


def _site_version() -> int:
    return db.session.scalar(sa.select(ContentVersion.version).where(ContentVersion.name == SITE))


def test_a_change_noted_after_an_abandoned_transaction_still_reaches_the_cache(app):
    """A note belongs to its transaction: one left behind by a closed session or a rollback
    never stops the next transaction's change from raising the site version."""
    note_changed(["abandoned"])
    db.session.close()  # the transaction ends without a commit or a rollback event
    before = _site_version() or 0
    note_changed(["kept"])
    db.session.commit()
    assert _site_version() == before + 1
    note_changed(["rolled-back"])
    db.session.rollback()
    assert _site_version() == before + 1
    note_changed(["again"])
    db.session.commit()
    assert _site_version() == before + 2


def test_a_savepoint_neither_commits_nor_forgets_the_transactions_note(app, monkeypatch):
    purged = []
    monkeypatch.setattr(purge, "purge", lambda noted, caches: purged.append(set(noted.slugs)))
    app.config["CACHE_PURGE_URLS"] = ["http://cache.invalid"]
    note_changed(["before-savepoint"])
    with db.session.begin_nested():
        note_changed(["inside-savepoint"])
    try:
        with db.session.begin_nested():
            note_changed(["rolled-back-savepoint"])
            raise RuntimeError
    except RuntimeError:
        pass
    assert purged == [], "releasing a savepoint is not a commit"
    db.session.commit()
    assert purged == [{"before-savepoint", "inside-savepoint", "rolled-back-savepoint"}]
