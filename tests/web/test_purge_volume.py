"""What a change purges is proportional to it (caching/purge.py): revision permalinks only on a
review transition, and only the language whose words changed."""

from dataclasses import replace

from caching import changes
from extensions import db
from models import Role
from services.editorial import review
from services.editorial.publishing import note_changed
from services.editorial.revisions import save_revision
from services.library.glossary import TermInput, create_term, update_term
from tests.factories import approved, make_article, make_sections, make_user
from tests.web.test_purge import CARD_PAGES, ENCODINGS, PAGES, REVISION_PAGES

USES_IT = "Imatinib comes first [@ref]."
SPANISH = {"term": "Imatinib", "abbr": "", "aliases": [], "definition": "Un inhibidor."}


def approve_again(article, summary: str) -> None:
    """A new revision of the article, taken through review and approved."""
    editor, reviewer = make_user(role=Role.EDITOR), make_user(role=Role.REVIEWER)
    revision = save_revision(
        article, author=editor, question=article.question, sections=make_sections(summary=summary)
    )
    review.submit(revision, actor=editor)
    review.start_review(revision, reviewer=reviewer)
    review.approve(revision, reviewer=reviewer, override_reason="Test")


def three_approved_revisions(slug: str):
    article = make_article(slug=slug, sections=make_sections(summary=USES_IT))
    approve_again(article, "Imatinib still comes first [@ref].")
    approve_again(article, "Imatinib comes first, in every guideline [@ref].")
    db.session.commit()
    return article


def test_a_glossary_edit_purges_article_pages_and_no_revision_permalink(app, cache):
    for slug in ("first", "second"):
        three_approved_revisions(slug)
    admin = make_user(role=Role.ADMIN)
    term = approved(create_term(TermInput(term="Imatinib", definition="A blocker."), actor=admin))
    db.session.commit()
    app.config["CACHE_PURGE_URLS"] = [cache.url]

    approved(update_term(term, replace(TermInput.of(term), definition="A kinase blocker."),
                         actor=admin))  # fmt: skip
    db.session.commit()
    # 2 articles x 3 pages x 4 audiences x 2 languages x 3 encodings; not 4 times as many.
    assert len(cache.purged) == 2 * 3 * 4 * 2 * 3 == 144
    assert not [path for path, _ in cache.purged if "/revisions/" in path]
    assert sorted(cache.purged) == sorted(
        (page.format(slug), e) for slug in ("first", "second") for page in PAGES for e in ENCODINGS
    )


def test_an_approval_purges_every_revision_permalink_in_every_language(app, cache):
    article = three_approved_revisions("reviewed")
    app.config["CACHE_PURGE_URLS"] = [cache.url]
    approve_again(article, "Imatinib first; then the rest [@ref].")
    db.session.commit()
    numbers = [r.number for r in article.revisions]
    assert len(numbers) == 4
    revision_pages = [
        (language + page.format("reviewed", number), e)
        for language in ("", "/es")
        for page in REVISION_PAGES
        for number in numbers
        for e in ENCODINGS
    ]
    article_pages = [(page.format("reviewed"), e) for page in PAGES for e in ENCODINGS]
    # The new text's citations take their numbers anew: their own pages go too.
    cards = [(page.format("reviewed/references/ref"), e) for page in CARD_PAGES for e in ENCODINGS]
    assert sorted(cache.purged) == sorted(article_pages + revision_pages + cards)
    assert len(cache.purged) == ((1 + 4) * 3 + 1) * 4 * 2 * 3 == 384


def test_a_change_to_a_terms_spanish_words_alone_purges_spanish_pages_alone(app, cache):
    make_article(slug="uses-it", sections=make_sections(summary=USES_IT))
    make_article(slug="does-not", sections=make_sections(summary="Nothing to explain [@ref]."))
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    data = TermInput(term="Imatinib", definition="A blocker.", translations={"es": SPANISH})
    term = approved(create_term(data, actor=admin))
    db.session.commit()
    app.config["CACHE_PURGE_URLS"] = [cache.url]

    spanish = {"es": SPANISH | {"definition": "Un inhibidor de cinasas."}}
    approved(update_term(term, replace(TermInput.of(term), translations=spanish), actor=admin))
    db.session.commit()
    assert sorted(cache.purged) == sorted(
        (page.format("uses-it"), e) for page in PAGES if page.startswith("/es/") for e in ENCODINGS
    )

    cache.purged.clear()  # an English word changes every language's pages (their fallback)
    approved(update_term(term, replace(TermInput.of(term), definition="A kinase blocker."),
                         actor=admin))  # fmt: skip
    db.session.commit()
    assert sorted(cache.purged) == sorted(
        (page.format("uses-it"), e) for page in PAGES for e in ENCODINGS
    )


def test_a_page_noted_for_every_language_stays_so_whatever_else_is_noted(app):
    note_changed(["both"], languages={"es"})
    note_changed(["both", "all"])
    note_changed(["all", "spanish"], languages={"es"})
    noted = db.session.info[changes.NOTE]
    assert (noted.languages("both"), noted.languages("all")) == (None, None)
    assert noted.languages("spanish") == {"es"}
    db.session.rollback()
