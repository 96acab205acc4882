"""Full-text search: ranking on the demo corpus, snippets, visibility, and any input at all.

The whole suite runs on SQLite and on PostgreSQL (DATABASE_URL), so every test here holds for
both engines; the hostile inputs expect the same outcome from each.
"""

from __future__ import annotations

import re
import warnings

import pytest
import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

import services.search as search_module
from extensions import db
from models import Article, ReadingLevel, Role, SearchDocument, SectionKind, Topic
from services import search
from services.editorial import review
from services.editorial.publishing import refresh_publication
from services.editorial.revisions import SectionInput, save_revision
from services.search.query import MAX_QUERY, MAX_TERMS, normalise_query, parse
from services.seeding.synthetic import seed_synthetic
from tests.factories import make_article, make_reference, make_user

L = ReadingLevel
SEED = "all-blast-crisis-treatment"
SEED_QUESTION = "What is the treatment for ALL during blast crisis?"


def slugs(page) -> list[str]:
    return [hit.article.slug for hit in page.hits]


def sections(summary: str, body: str, *, plain_body: str | None = None, heading="Body"):
    body_levels = {L.CLINICAL: body} | ({L.PLAIN: plain_body} if plain_body else {})
    return [
        SectionInput(SectionKind.SUMMARY, "Short answer", {L.CLINICAL: summary}),
        SectionInput(SectionKind.GUIDELINES, heading, body_levels),
    ]


# -- Ranking on the demo corpus ----------------------------------------------------------------


def test_seed_question_finds_the_blast_crisis_article_first(demo):
    assert slugs(search.search(SEED_QUESTION, level=L.CLINICAL))[0] == SEED


def test_stemming_joins_word_forms(demo):
    """ "treating blast crises" finds "treatment … blast crisis" (crisis/crises included)."""
    found = slugs(search.search("treating blast crises", level=L.CLINICAL))
    assert SEED in found
    assert SEED in slugs(search.search("crises", level=L.CLINICAL))


def test_drug_named_only_inside_a_section_body_finds_its_article(demo):
    drug = "interferon"
    for article in db.session.scalars(sa.select(Article)):
        summary = article.public_revision.summary_section
        assert drug not in (article.question + article.summary).lower()
        assert all(drug not in v.body.lower() for v in summary.variants)
    assert slugs(search.search(drug, level=L.CLINICAL)) == [SEED]


def test_word_being_typed_matches_longer_words(demo):
    assert "ph-positive-all-tki" in slugs(search.search("ponat", level=L.CLINICAL))
    assert slugs(search.search("blast crisis interfer", level=L.CLINICAL)) == [SEED]
    # Only the last word: an earlier one is finished, so no article has both words.
    assert search.search("ponat blast", level=L.CLINICAL).relaxed


def test_a_whole_word_is_not_widened(app):
    cellular = make_article(question="Test one?", sections=sections("Short.", "Cellular immunity."))
    cell = make_article(question="Test two?", sections=sections("Short.", "A cell count."))
    db.session.commit()
    assert [h.article.id for h in search.search("cell", level=L.CLINICAL).hits] == [cell.id]
    assert [h.article.id for h in search.search("cellu", level=L.CLINICAL).hits] == [cellular.id]


def test_question_and_heading_matches_outrank_body_matches(app):
    body_only = make_article(
        question="Test question one?",
        sections=sections("Short answer.", "Zorblatt " * 5 + "appears here often."),
    )
    in_heading = make_article(
        question="Test question two?",
        sections=sections("Short answer.", "Nothing much.", heading="Zorblatt dosing"),
    )
    in_question = make_article(
        question="What is zorblatt?", sections=sections("Short answer.", "Nothing much.")
    )
    db.session.commit()
    found = [hit.article.id for hit in search.search("zorblatt", level=L.CLINICAL).hits]
    assert found == [in_question.id, in_heading.id, body_only.id]


def test_sub_headings_inside_a_section_body_are_searchable(app):
    in_body = make_article(
        question="Test question one?",
        sections=sections("Short answer.", "Quorvane " * 5 + "appears here often."),
    )
    in_sub_heading = make_article(
        question="Test question two?",
        sections=sections("Short answer.", "Nothing much.\n\n### Quorvane monitoring\n\nText."),
    )
    db.session.commit()
    row = db.session.get(SearchDocument, in_sub_heading.id)
    assert "Quorvane monitoring" in row.headings.splitlines()
    assert "###" not in row.clinical
    found = [hit.article.id for hit in search.search("quorvane", level=L.CLINICAL).hits]
    assert found == [in_sub_heading.id, in_body.id]  # a sub-heading weighs as a heading
    assert search.candidate_article_ids("monitoring quorvane")[0] == in_sub_heading.id


def test_reference_titles_are_searchable(app):
    make_reference("quux2020", title="Outcomes of the Quuxifine trial")
    article = make_article(
        question="Test question?", sections=sections("Short answer [@quux2020].", "Body.")
    )
    db.session.commit()
    assert [h.article.id for h in search.search("quuxifine", level=L.PLAIN).hits] == [article.id]


# -- Snippets ------------------------------------------------------------------------------------


def test_snippet_quotes_the_readers_level_with_marks(app):
    make_article(
        question="Test question?",
        sections=sections(
            "Short answer.",
            "Clinical wording: glomerular filtration of the zorblatt compound.",
            plain_body="Plain wording: your kidneys clear zorblatt from the blood.",
        ),
    )
    db.session.commit()
    plain = search.search("zorblatt", level=L.PLAIN).hits[0].snippet
    clinical = search.search("zorblatt", level=L.CLINICAL).hits[0].snippet
    assert "Plain wording" in plain and "<mark>zorblatt</mark>" in plain
    assert "Clinical wording" in clinical and "<mark>zorblatt</mark>" in clinical


def test_snippet_falls_back_to_the_nearest_more_technical_wording(app):
    make_article(
        question="Test question?",
        sections=sections("Short answer.", "Only clinical wording mentions zorblatt."),
    )
    db.session.commit()
    snippet = search.search("zorblatt", level=L.PLAIN).hits[0].snippet
    assert "Only clinical wording mentions <mark>zorblatt</mark>" in snippet


def test_snippet_quotes_a_match_deep_in_a_long_wording_at_the_readers_level(app):
    # PostgreSQL reads the opening of each text first; a match further on is still quoted.
    filler = "Filler sentence about nothing in particular. " * 60
    make_article(
        question="Test question?",
        sections=sections(
            "Short answer.",
            "Clinical wording: zorblatt early on.",
            plain_body=filler + "Plain wording names zorblatt late.",
        ),
    )
    db.session.commit()
    hit = search.search("zorblatt", level=L.PLAIN).hits[0]
    assert hit.snippet_level == L.PLAIN
    assert "Plain wording names <mark>zorblatt</mark>" in hit.snippet
    assert hit.snippet.startswith("…")


def test_snippet_is_escaped_text_with_only_marks_added(app):
    make_article(
        question="Test question?",
        sections=sections("Short answer.", 'Zorblatt dose: give 2 & then < 5 "units" [@ref].'),
    )
    db.session.commit()
    snippet = str(search.search("zorblatt", level=L.CLINICAL).hits[0].snippet)
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0
    assert "&lt;" in snippet and "&amp;" in snippet and "[@ref]" not in snippet


def test_snippet_quotes_another_level_only_when_the_readers_lacks_the_words(demo):
    # Only the seed's clinical drug-label wording names interferon. Standard readers see that
    # wording (the section has none of their own); plain readers have a plain version of it.
    quoted = {L.PLAIN: L.CLINICAL, L.STANDARD: L.STANDARD, L.CLINICAL: L.CLINICAL}
    for level in L:
        hit = search.search("interferon", level=level).hits[0]
        assert "<mark>Interferon</mark>" in hit.snippet
        assert hit.snippet_level == quoted[level]
    assert search.search("ponatinib", level=L.PLAIN).hits[0].snippet_level == L.PLAIN


# -- Only what the public may see ------------------------------------------------------------


def test_drafts_are_never_found(app):
    make_article(
        question="Draft question?", status="draft", sections=sections("Draftonly.", "Body.")
    )
    live = make_article(question="Live question?", sections=sections("Liveword.", "Body."))
    save_revision(
        live,
        author=make_user(),
        question="Live question?",
        sections=sections("Liveword and draftnewer.", "Body."),
    )
    db.session.commit()
    assert search.search("draftonly", level=L.CLINICAL).total == 0
    assert search.search("draftnewer", level=L.CLINICAL).total == 0
    assert search.candidate_article_ids("draftonly draftnewer") == []
    assert slugs(search.search("liveword", level=L.CLINICAL)) == [live.slug]


def test_index_follows_an_approval(app):
    author = make_user(role=Role.EDITOR)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    article = make_article(
        question="Test question?", author=author, sections=sections("Oldwording.", "Body.")
    )
    newer = save_revision(
        article,
        author=author,
        question="Test question?",
        sections=sections("Newwording.", "Body."),
    )
    review.submit(newer, actor=author)
    review.start_review(newer, reviewer=reviewer)
    db.session.commit()
    assert search.search("newwording", level=L.CLINICAL).total == 0  # pending: not yet public
    assert search.search("oldwording", level=L.CLINICAL).total == 1

    review.approve(newer, reviewer=reviewer, override_reason="Test article")
    db.session.commit()
    assert slugs(search.search("newwording", level=L.CLINICAL)) == [article.slug]
    assert search.search("oldwording", level=L.CLINICAL).total == 0


def test_never_approved_article_is_found_by_its_latest_submitted_revision(app):
    author = make_user(role=Role.EDITOR)
    article = make_article(
        question="Test question?",
        status="submitted",
        author=author,
        sections=sections("Firstsubmission.", "Body."),
    )
    second = save_revision(
        article,
        author=author,
        question="Test question?",
        sections=sections("Secondsubmission.", "Body."),
    )
    review.submit(second, actor=author)  # supersedes the first
    db.session.commit()
    assert search.search("firstsubmission", level=L.CLINICAL).total == 0
    assert slugs(search.search("secondsubmission", level=L.CLINICAL)) == [article.slug]


def test_an_article_that_stops_being_public_leaves_the_index(app, monkeypatch):
    article = make_article(question="Test question?", sections=sections("Goneword.", "Body."))
    db.session.commit()
    assert db.session.get(SearchDocument, article.id) is not None
    assert slugs(search.search("goneword", level=L.CLINICAL)) == [article.slug]
    indexed = []
    index_article = search_module.index_article
    monkeypatch.setattr(
        search_module, "index_article", lambda a: indexed.append(a) or index_article(a)
    )
    # No service withdraws an article yet: take away its approval the way the review service
    # sets the pointer, and let the one publication rule decide (no revision is public now).
    article.live_revision = None
    refresh_publication(article)
    db.session.commit()
    assert article.public_revision_id is None and indexed == [article]
    db.session.expire_all()
    assert db.session.get(SearchDocument, article.id) is None
    assert search.search("goneword", level=L.CLINICAL).total == 0
    assert search.candidate_article_ids("goneword") == []


def test_a_stale_index_row_is_never_shown(app):
    article = make_article(question="Test question?", sections=sections("Staleword.", "Body."))
    db.session.commit()
    article.public_revision = None  # as if visibility changed without the publishing rule
    db.session.commit()
    assert search.search("staleword", level=L.CLINICAL).hits == []
    assert search.candidate_article_ids("staleword") == []


# -- Any input is safe, and the same on both engines ----------------------------------------

HOSTILE = {
    "empty": ("", False),
    "spaces": ("   \t\n ", False),
    "punctuation": ("?!.,;:-()[]{}<>/\\|@#$%^&*~`'", False),
    "only stop words": ("what is the", False),
    "double quote": ('"', False),
    "unbalanced quote": ('"blast crisis', True),
    "balanced quotes": ('"blast crisis"', True),
    "single quotes": ("'ponatinib'", True),
    "sql": ("'; DROP TABLE articles; --", True),  # "article" is a word in the demo text
    "fts operators": ("ponatinib AND NOT NEAR(blast, crisis) OR ^dasatinib*", True),
    "fts column filter": ("question: ponatinib", True),
    "fts column set": ("{question headings}: ponatinib", True),
    "tsquery syntax": ("ponatinib & !dasatinib | (blast <-> crisis):*", True),
    "lone operators": ("AND OR NOT NEAR * ^ - : ( )", False),
    "negation only": ("-ponatinib", False),
    "negation": ("blast -rasburicase", True),
    "negation of every match": ("blast -ponatinib", False),
    "or": ("rasburicase OR interferon", True),
    "unicode": ("leucémie lymphoblastique aiguë", False),
    "diacritics": ("Ponatinib™ café naïve", True),
    "cjk": ("白血病の治療", False),
    "emoji": ("🩸💊 🧬", False),
    "emoji with word": ("ponatinib 💊", True),
    "control characters": ("pona\x00tinib\x1b[31m", False),
    "private use": ("\ue000ponatinib\ue001", True),
    "5000 characters": ("ponatinib " + "x" * 5000, True),
    "5000 words": ("blast " * 1000, True),
    "html": ("<script>alert(1)</script> ponatinib", True),
    "backslashes": ("\\\\ponatinib\\", True),
    "long word": ("a" * 300, False),
    "numbers": ("t(9;22) 3", True),
}


@pytest.mark.parametrize(("query", "finds"), HOSTILE.values(), ids=HOSTILE.keys())
def test_any_input_gives_results_or_none_never_an_error(demo, query, finds):
    for level in L:
        page = search.search(query, level=level)
        assert bool(page.hits) is finds, page
        assert len(page.query) <= MAX_QUERY
        for hit in page.hits:
            assert re.sub(r"</?mark>", "", str(hit.snippet)).count("<") == 0
    assert isinstance(search.candidate_article_ids(query), list)
    # The transaction is still usable: nothing failed inside the database.
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 6


def test_parsing_caps_terms_and_never_emits_syntax():
    parsed = parse(normalise_query(" ".join(f"word{n}" for n in range(50))))
    assert sum(len(u.tokens) for c in parsed.clauses for u in c.alternatives) == MAX_TERMS
    assert all(
        re.fullmatch(r"[^\W_]+", token)
        for clause in parse('"a b" c:d (e) *f ^g').clauses
        for unit in clause.alternatives
        for token in unit.tokens
    )


# -- Relaxed, filtered, paged and broad searches --------------------------------------------


def test_no_article_with_every_word_shows_articles_with_some(demo):
    page = search.search("interferon zzzunknownzzz", level=L.CLINICAL)
    assert page.relaxed and slugs(page) == [SEED]
    assert search.search("zzzunknownzzz qqqnothingqqq", level=L.CLINICAL).total == 0


def test_topic_filter(demo):
    everywhere = search.search("leukemia", level=L.CLINICAL)
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "acute-lymphoblastic-leukemia"))
    within = search.search("leukemia", level=L.CLINICAL, topic_slug=topic.slug)
    assert 0 < within.total <= everywhere.total
    assert all(topic in hit.article.topics for hit in within.hits)
    assert search.search("leukemia", level=L.CLINICAL, topic_slug="no-such-topic").total == 0


def test_paging(app):
    for n in range(7):
        make_article(question=f"Test question {n}?", sections=sections("Pagedword.", "Body."))
    db.session.commit()
    first = search.search("pagedword", level=L.CLINICAL, per_page=3)
    third = search.search("pagedword", level=L.CLINICAL, per_page=3, page=3)
    beyond = search.search("pagedword", level=L.CLINICAL, per_page=3, page=9)
    assert (first.total, first.pages, len(first.hits), len(third.hits)) == (7, 3, 3, 1)
    assert third.first_number == 7 and not third.has_next and third.has_previous
    assert beyond.hits == [] and beyond.total == 7
    every = [
        h.article.id
        for p in (1, 2, 3)
        for h in search.search("pagedword", level=L.CLINICAL, per_page=3, page=p).hits
    ]
    assert len(set(every)) == 7


def test_broad_query_ranks_question_matches_among_the_newest(app, monkeypatch):
    monkeypatch.setattr(search_module, "RANK_LIMIT", 3)
    too_old = make_article(question="Is zorblatt old?", sections=sections("Short.", "Zorblatt."))
    for n in range(3):
        make_article(question=f"Test question {n}?", sections=sections("Zorblatt.", "Body."))
    in_question = make_article(
        question="What is zorblatt?", sections=sections("Short answer.", "Zorblatt.")
    )
    make_article(question="Test question 4?", sections=sections("Zorblatt.", "Body."))
    db.session.commit()
    page = search.search("zorblatt", level=L.CLINICAL, per_page=2)
    assert page.more and page.total == 3
    # Among the newest three matches, the one matching in its question comes first; an older
    # question match is not looked for: that would mean reading every match.
    assert page.hits[0].article.id == in_question.id
    assert too_old.id not in [hit.article.id for hit in page.hits]
    second = search.search("zorblatt", level=L.CLINICAL, per_page=2, page=2)
    assert len(second.hits) == 1
    assert second.hits[0].article.id not in (in_question.id, too_old.id)


def test_candidate_article_ids_accept_any_word_best_first(demo):
    ids = search.candidate_article_ids("Is ponatinib better than dasatinib for Ph+ ALL?")
    by_id = {a.id: a.slug for a in db.session.scalars(sa.select(Article))}
    assert "ph-positive-all-tki" in [by_id[i] for i in ids[:3]]
    assert len(search.candidate_article_ids("ponatinib", limit=2)) == 2
    assert search.candidate_article_ids("") == []


# -- Building the index ---------------------------------------------------------------------


def index_rows() -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(SearchDocument.__table__).order_by(SearchDocument.article_id)
        )
    ]


def test_rebuild_gives_the_same_index_as_publishing_did(demo):
    incremental = index_rows()
    assert len(incremental) == 6
    assert search.rebuild() == 6
    db.session.commit()
    assert index_rows() == incremental
    assert slugs(search.search(SEED_QUESTION, level=L.CLINICAL))[0] == SEED


def test_fts5_index_stays_consistent_with_its_content(demo):
    """The triggers keep SQLite's external-content index exactly in step with its table."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("FTS5 is SQLite's engine")
    author = make_user(role=Role.EDITOR)
    article = db.session.scalar(sa.select(Article).where(Article.slug == SEED))
    newer = save_revision(
        article, author=author, question=article.question, sections=sections("New.", "Body.")
    )
    review.submit(newer, actor=author)
    db.session.commit()
    search.rebuild()
    db.session.commit()
    # Raises "database disk image is malformed" if the index and its content disagree.
    db.session.execute(
        sa.text("INSERT INTO search_index(search_index, rank) VALUES ('integrity-check', 1)")
    )


def test_index_holds_every_level_headings_and_references(demo):
    seed = db.session.scalar(sa.select(Article).where(Article.slug == SEED))
    row = db.session.get(SearchDocument, seed.id)
    assert row.revision_id == seed.public_revision_id
    assert row.question == seed.question
    assert "From the Research" in row.headings and "Short answer" not in row.headings
    assert row.plain != row.clinical and row.standard
    assert "[@" not in row.clinical and "**" not in row.clinical
    assert row.reference_titles


def test_seed_synthetic_leaves_the_index_complete(app):
    seed_synthetic(40)
    db.session.commit()
    public = db.session.scalar(
        sa.select(sa.func.count(Article.id)).where(Article.public_revision_id.is_not(None))
    )
    assert db.session.scalar(sa.select(sa.func.count(SearchDocument.article_id))) == public == 40
    assert search.search("synthetic", level=L.PLAIN).total == 40


def test_schema_matches_the_models(app):
    """`flask db migrate` finds nothing to do: the engines' own structures are left alone."""
    with warnings.catch_warnings():
        # SQLite cannot reflect the expression index on references.doi; that is not ours.
        warnings.filterwarnings("ignore", message="autogenerate skipping metadata-specified")
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection")
        check()  # exits when autogenerate detects a difference


def test_migration_builds_the_index_for_existing_articles_and_downgrades(demo):
    db.session.remove()
    db.engine.dispose()
    try:
        downgrade(revision="af76f7a95637")
        tables = sa.inspect(db.engine).get_table_names()
        assert "search_documents" not in tables and "search_index" not in tables
    finally:
        upgrade()
    db.engine.dispose()
    assert slugs(search.search(SEED_QUESTION, level=L.CLINICAL))[0] == SEED
    assert len(index_rows()) == 6
