"""Deciding what readers see, and telling the caches when it changes.

Every change of state that could alter what the public sees ends in `refresh_publication`: the
one rule for the public revision (the live one, else the newest revision submitted for review
and not sent back), the revision under review beyond it, and the listing columns and staff flags
copied from it. Preview, the search index and cached pages all follow these pointers, so they
never disagree about what is published.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from caching import changes, renders
from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    ArticleListingTranslation,
    LevelSetting,
    ReadabilityTarget,
    ReadingLevel,
    ReviewStatus,
    Revision,
    Section,
    SectionVariant,
    Topic,
    article_topics,
    revision_references,
)
from services import search
from services.reading.plaintext import plain_blocks

# -- What readers see ------------------------------------------------------------------------


def note_changed(
    slugs: Iterable[str] = (),
    *,
    cards: Iterable[tuple[str, str]] = (),
    glossary: bool = False,
    references: Iterable[str] = (),
    revisions: bool = False,
    languages: Iterable[str] | None = None,
) -> None:
    """Say that this transaction changes what readers see: the one rule every service follows,
    in the same transaction as the change, and the only way the caches learn of it
    (caching/changes.py): no page cached before is served again, and once the transaction
    commits the proxy drops the pages named here.

    Who calls it: `refresh_publication` (every review transition); the glossary (`glossary`, and
    the articles using the term), references (`references`, the articles citing them and
    `cards`, a citation's own page), readers' answered questions, audience settings and staff
    names shown as reviewers (no slug: every page may show them). Drafts, locks, sign-ins and
    the staff side change nothing readers see and never call it.

    `revisions`: the articles' revision permalinks say something new too (a review transition;
    nothing else purges them, caching/purge.py says why). `languages`: only the articles' pages
    in these languages change (a glossary edit to a term's other-language words alone).
    """
    changes.note(
        db.session(),
        slugs=slugs,
        cards=cards,
        glossary=glossary,
        references=references,
        revisions=revisions,
        languages=languages,
    )


# Never CHANGES_REQUESTED: once the board sends a revision back it is not shown, listed,
# searched or quoted, and an article with nothing else before the board is not public.
PUBLIC_WITHOUT_APPROVAL = (ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW)


def refresh_publication(article: Article) -> None:
    """The one rule for what readers see; called after every change of review state.

    Public: the live revision, else (never approved) the newest revision submitted or under
    review, shown under the caution banner; drafts, revisions sent back and superseded ones
    never. The listing columns copy the
    public revision (and `public_over_target` says whether its wording reads above target), the
    search index follows it; cached copies of the page, and of its citations' own pages when the
    public text changes, are purged once the transaction commits.
    """
    note_changed([article.slug], revisions=True)  # a review transition: every permalink may change
    db.session.flush()
    public = article.live_revision
    if public is None:
        public = db.session.scalar(
            sa.select(Revision)
            .where(
                Revision.article_id == article.id,
                Revision.status.in_(PUBLIC_WITHOUT_APPROVAL),
            )
            .order_by(Revision.number.desc())
            .limit(1)
        )
    was_public = article.public_revision_id is not None
    topics_before = {t.id for t in article.topics}
    public_id = public.id if public else None
    if article.public_revision_id not in (None, public_id):
        renders.forget_revision(article.public_revision_id)
    if article.public_revision_id != public_id:
        # Each citation's own page shows its number, which the new text may change.
        cited = sa.select(revision_references.c.reference_key).where(
            revision_references.c.revision_id.in_(
                [r for r in (article.public_revision_id, public_id) if r]
            )
        )
        note_changed([], cards=[(article.slug, key) for key in db.session.scalars(cited)])
    article.public_revision = public
    article.public_over_target = public is not None and reads_above_target(public.id)
    article.public_translations_behind = public is not None and translations_behind(public.id)
    search.index_article(article)
    article.reviewed_at = article.live_revision.reviewed_at if article.live_revision else None
    if public is not None:
        article.question = public.question
        copies = listing_summaries(public.summary_section)
        article.summary = copies[ReadingLevel.CLINICAL]
        article.summary_standard = copies[ReadingLevel.STANDARD]
        article.summary_plain = copies[ReadingLevel.PLAIN]
        article.updated_at = public.created_at
        copy_listing_translations(article, public)
        if public.topic_ids is not None:
            article.topics = list(
                db.session.scalars(sa.select(Topic).where(Topic.id.in_(public.topic_ids)))
            )
    else:
        article.listing_translations.clear()
    topics_after = {t.id for t in article.topics}
    if was_public != (public is not None) or topics_before != topics_after:
        recount_topics(topics_before | topics_after)


def listing_summaries(summary: Section | None) -> dict[ReadingLevel, str]:
    """The short answer's listing copies: each level's own wording as plain text, "" where it
    has none (a listing falls back as the article page does, and says so)."""
    bodies = {v.level: v.body for v in summary.variants} if summary is not None else {}
    return {level: listing_copy(bodies.get(level, "")) for level in ReadingLevel}


def copy_listing_translations(article: Article, public: Revision) -> None:
    """The listing copies in each language the public revision has a question or a short
    answer in (`article.listing_translations`); a language it no longer has loses its row."""
    summary = public.summary_section
    wordings = summary.translations if summary is not None else []
    questions = public.question_translations or {}
    languages = ({w.language for w in wordings} | set(questions)) - {SOURCE_LANGUAGE}
    rows = article.listing_translations
    for gone in set(rows) - languages:
        del rows[gone]
    for language in sorted(languages):
        bodies = {w.level: w.body for w in wordings if w.language == language}
        row = rows.get(language) or ArticleListingTranslation(language=language)
        row.question = questions.get(language, "")
        row.summary = listing_copy(bodies.get(ReadingLevel.CLINICAL, ""))
        row.summary_standard = listing_copy(bodies.get(ReadingLevel.STANDARD, ""))
        row.summary_plain = listing_copy(bodies.get(ReadingLevel.PLAIN, ""))
        rows[language] = row


def listing_copy(body: str) -> str:
    """A short answer's Markdown as the one line of plain text a listing shows."""
    return " ".join(plain_blocks(body))


def wording_above_target() -> sa.Select:
    """The one definition of "wording above its reading target": section variants whose
    Flesch-Kincaid grade exceeds their level's target (a level without one has no cap), or
    translations whose ease misses their language and level's target (`ReadabilityTarget`),
    by the revision they belong to. Add columns for what a caller shows (services.worklists)."""
    target = ReadabilityTarget
    return (
        sa.select(Section.revision_id)
        .join(SectionVariant, SectionVariant.section_id == Section.id)
        .join(LevelSetting, LevelSetting.level == SectionVariant.level)
        .outerjoin(
            target,
            sa.and_(
                target.language == SectionVariant.language, target.level == SectionVariant.level
            ),
        )
        .where(
            sa.or_(
                SectionVariant.fk_grade > LevelSetting.target_grade,
                sa.and_(
                    target.direction == "at_least", SectionVariant.reading_ease < target.target
                ),
                sa.and_(target.direction == "at_most", SectionVariant.reading_ease > target.target),
            )
        )
    )


def reads_above_target(revision_id: int) -> bool:
    """Some wording of this revision reads above its level's target."""
    query = wording_above_target().where(Section.revision_id == revision_id).exists()
    return bool(db.session.scalar(sa.select(query)))


def lagging_sections() -> sa.Select:
    """The one definition of "a translation out of date": the sections with a wording in another
    language that follows older English than its revision's own (`SectionVariant.lags`, settled
    when the revision is saved), by the revision they belong to."""
    return sa.select(Section.revision_id).where(section_lags())


def section_lags() -> sa.Exists:
    """Whether the enclosing query's `Section` has a wording that lags (see lagging_sections).
    Asked per section, through the index (lags, section_id) on both its columns: a join on
    `lags` alone would let SQLite read every lagging wording ever saved for each revision."""
    return (
        sa.select(SectionVariant.id)
        .where(SectionVariant.lags == sa.true(), SectionVariant.section_id == Section.id)
        .exists()
    )


def translations_behind(revision_id: int) -> bool:
    """Some translation of this revision follows older English than the revision's own."""
    query = lagging_sections().where(Section.revision_id == revision_id).exists()
    return bool(db.session.scalar(sa.select(query)))


def refresh_over_target() -> None:
    """Recompute every article's `public_over_target` (the dashboard's "public wording above its
    reading target"): when a level's target changes, and after bulk imports.

    Two UPDATEs that write only the articles whose flag changes, each with the condition in its
    WHERE clause: there PostgreSQL joins the wordings once (a semi- or anti-join) even without
    statistics, where a subquery in SET is run per article once it outgrows work_mem.
    """
    db.session.flush()
    above = wording_above_target().where(Section.revision_id == Article.public_revision_id).exists()
    for value, condition in ((False, ~above), (True, above)):
        db.session.execute(
            sa.update(Article)
            .where(Article.public_over_target == (not value), condition)
            .values(public_over_target=value)
            .execution_options(synchronize_session=False)
        )
    for loaded in list(db.session.identity_map.values()):
        if isinstance(loaded, Article):
            db.session.expire(loaded, ["public_over_target"])


def recount_topics(topic_ids: set[int]) -> None:
    """Store each topic's number of public articles: the home and topic pages read it as is."""
    if not topic_ids:
        return
    db.session.flush()
    public_in_topic = (
        sa.select(sa.func.count())
        .select_from(article_topics.join(Article, Article.id == article_topics.c.article_id))
        .where(article_topics.c.topic_id == Topic.id, publicly_visible())
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(Topic)
        .where(Topic.id.in_(topic_ids))
        .values(article_count=public_in_topic)
        .execution_options(synchronize_session="fetch")
    )


def make_live(revision: Revision, *, next_review_on: date) -> None:
    """Point the article at an approved revision (called by review.approve)."""
    article = revision.article
    article.live_revision = revision
    article.next_review_on = next_review_on
    refresh_publication(article)


def public_revision(article: Article) -> Revision | None:
    """What readers see (kept by `refresh_publication`)."""
    return article.public_revision


def pending_revision(article: Article) -> Revision | None:
    """A revision newer than the live one, waiting for the board (readers are told about it)."""
    if article.live_revision_id is None or article.latest_revision_id == article.live_revision_id:
        return None  # never approved (its public revision is the pending one), or nothing newer
    return db.session.scalar(
        sa.select(Revision)
        .where(
            Revision.article_id == article.id,
            Revision.status.in_((ReviewStatus.SUBMITTED, ReviewStatus.UNDER_REVIEW)),
            Revision.id != article.live_revision_id,
        )
        .order_by(Revision.number.desc())
        .limit(1)
    )


def being_revised(slug: str) -> bool:
    """The article at `slug` is not public now, though readers could once find it: it was sent
    for review (and sent back) and nothing of it is approved or before the board. Its address
    answers "being revised"; an article that never left the drafts stays unknown."""
    once_submitted = (
        sa.select(Revision.id)
        .where(Revision.article_id == Article.id, Revision.submitted_at.is_not(None))
        .exists()
    )
    return bool(
        db.session.scalar(
            sa.select(
                sa.select(Article.id)
                .where(Article.slug == slug, ~publicly_visible(), once_submitted)
                .exists()
            )
        )
    )


def publicly_visible() -> sa.ColumnElement[bool]:
    """SQL condition for articles readers may see: an indexed column, kept by the rule above."""
    return Article.public_revision_id.is_not(None)
