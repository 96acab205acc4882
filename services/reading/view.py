"""What a reader sees of an article: the revision, its text at a reading level, its references."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from caching import renders
from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    GlossaryTerm,
    ReadingLevel,
    Reference,
    ReviewStatus,
    Revision,
    Section,
    SectionKind,
    SectionVariant,
    Topic,
    article_topics,
)
from services.editorial.publishing import listing_copy, publicly_visible
from services.reading.markdown import (
    RENDERER_VERSION,
    CitationRegistry,
    Glossary,
    citation_keys,
    render,
)
from services.reading.personalization import choose_variant as choose_variant  # re-exported
from services.reading.structured import structured_data as structured_data  # re-exported
from services.reading.wording import Lag, choose_wording, lags_in, reading_ease


@dataclass
class SectionView:
    section: Section
    variant: SectionVariant
    html: Markup
    preview_html: Markup | None
    requested: ReadingLevel
    # With a preview: the rest of the section, for paper only (markdown.RenderedText.rest_html).
    rest_html: Markup | None = None
    language: str = SOURCE_LANGUAGE  # the page's
    lag: Lag | None = None  # a translation following older English (services.reading.wording)

    @property
    def anchor(self) -> str:
        return self.section.anchor

    @property
    def heading(self) -> str:
        """The heading in the page's language where it has one, else the English one."""
        return self.section.heading_in(self.language) or self.section.heading

    @property
    def untranslated(self) -> bool:
        """A page in another language shows the English wording: none exists in its own."""
        return self.variant.language != self.language

    @property
    def lang_attribute(self) -> Markup:
        """` lang="en"` on English text standing in on another language's page."""
        return Markup(f' lang="{self.variant.language}"') if self.untranslated else Markup("")

    @property
    def is_fallback(self) -> bool:
        """True when the reader's level had no variant and a more technical one stands in."""
        return self.variant.level != self.requested


@dataclass
class CitedReference:
    number: int
    reference: Reference


@dataclass
class ArticleView:
    article: Article
    revision: Revision
    level: ReadingLevel
    summary: SectionView | None
    sections: list[SectionView]
    references: list[CitedReference]
    broken_keys: list[str]
    language: str = SOURCE_LANGUAGE

    @property
    def question(self) -> str:
        """The question in the page's language where it has one, else the English one."""
        translated = (self.revision.question_translations or {}).get(self.language)
        return translated or self.revision.question

    @property
    def description(self) -> str | None:
        """On another language's page, its own short answer as one line of plain text (English
        pages, and a page whose short answer is in English, use the listing copies: None)."""
        if self.language == SOURCE_LANGUAGE or self.summary is None or self.summary.untranslated:
            return None
        return listing_copy(self.summary.variant.body)

    @property
    def reading_ease(self) -> float | None:
        """The page language's ease score of its own wording shown (Spanish: Fernández Huerta),
        weighted by length; None on English pages, which give grades."""
        parts = [p.variant for p in [self.summary, *self.sections] if p and not p.untranslated]
        return reading_ease(parts) if self.language != SOURCE_LANGUAGE else None

    @property
    def is_approved(self) -> bool:
        return self.revision.status == ReviewStatus.APPROVED

    @property
    def changes_requested(self) -> bool:
        return self.revision.status == ReviewStatus.CHANGES_REQUESTED

    @property
    def current_step(self) -> int:
        """Index in the tracker Submitted → Under Review → Approved."""
        return {
            ReviewStatus.SUBMITTED: 0,
            ReviewStatus.UNDER_REVIEW: 1,
            ReviewStatus.CHANGES_REQUESTED: 1,
            ReviewStatus.APPROVED: 2,
        }.get(self.revision.status, 0)

    @property
    def reading_grade(self) -> float | None:
        """Flesch-Kincaid grade of what is shown, weighted by each part's length."""
        parts = [p.variant for p in [self.summary, *self.sections] if p and p.variant.fk_grade]
        if self.language != SOURCE_LANGUAGE:
            return None  # English stand-ins on another language's page are not its reading level
        words = sum(v.word_count for v in parts)
        if not words:
            return None
        return sum(v.fk_grade * v.word_count for v in parts) / words

    @property
    def smog_grade(self) -> float | None:
        parts = [p.variant for p in [self.summary, *self.sections] if p and p.variant.smog_grade]
        if self.language != SOURCE_LANGUAGE:
            return None
        words = sum(v.word_count for v in parts)
        return sum(v.smog_grade * v.word_count for v in parts) / words if words else None

    def section(self, section_id: int) -> SectionView | None:
        return next((s for s in self.sections if s.section.id == section_id), None)


def find_article(slug: str) -> Article | None:
    """A publicly visible article by slug, with what its page needs loaded up front."""
    return db.session.scalar(
        sa.select(Article)
        .where(Article.slug == slug, publicly_visible())
        .options(selectinload(Article.topics))
    )


def load_revision(revision_id: int, language: str = SOURCE_LANGUAGE) -> Revision | None:
    """A revision with its sections, variants and reviewer: three queries, whatever its size;
    a fourth for its translations when the page is in another language."""
    sections = selectinload(Revision.sections)
    options = [sections.selectinload(Section.variants), selectinload(Revision.reviewer)]
    if language != SOURCE_LANGUAGE:
        options.append(sections.selectinload(Section.translations))
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.id == revision_id)
        .options(*options)
        .execution_options(populate_existing=True)
    )


def load_glossary(url: Callable[[GlossaryTerm], str], language: str = SOURCE_LANGUAGE) -> Glossary:
    """Every glossary term worded in `language` (`GlossaryTerm.wording`), ready to mark up
    text; a term without words in it is not marked on that language's pages."""
    terms = db.session.scalars(sa.select(GlossaryTerm)).all()
    return Glossary.build([w for t in terms if (w := t.wording(language)) is not None], url)


# Shown whole, never behind "Show full section": the short answer, and the questions to ask,
# which are short and meant to be read (and printed) as a list.
NEVER_COLLAPSED = frozenset({SectionKind.SUMMARY, SectionKind.QUESTIONS})


def _reading_order(sections: list[Section]) -> list[Section]:
    """Sections as the page shows them: as written, except the questions to ask the care team,
    which come after the evidence, just before the references, wherever the editor put them
    (and so take their citation numbers, if any, after the evidence's)."""
    return sorted(sections, key=lambda s: s.kind == SectionKind.QUESTIONS)


def build_view(
    article: Article,
    level: ReadingLevel,
    *,
    card_url: Callable[[str], str] | None,
    glossary_url: Callable[[GlossaryTerm], str] | None = None,
    revision: Revision | None = None,
    cached: bool = False,
    language: str = SOURCE_LANGUAGE,
) -> ArticleView | None:
    """Render a revision at `level` for a page in `language`; citations numbered across the
    whole page.

    Each section in `language` where it has that wording (services.reading.wording), else in
    English, flagged `untranslated`; a translation following older English carries its `lag`.

    By default the revision readers see; staff previews pass another one, saved or not (an
    unsaved one is built from transient objects by the editor), and get exactly the same page.
    With `glossary_url`, terms are explained inline, in plain and standard wording only:
    clinicians don't need it. `cached` reuses (or keeps) the rendering in the render-once cache;
    only the public pages ask for it, since the links inside the HTML are the public ones.
    """
    if revision is None:
        if article.public_revision_id is None:
            return None
        revision = load_revision(article.public_revision_id, language)
        if revision is None:
            return None
    chosen = [(s, choose_wording(s, level, language)) for s in _reading_order(revision.sections)]
    chosen = [(s, v) for s, v in chosen if v is not None]
    # Terms are marked in the page's language, with its words for them (GlossaryTerm.wording).
    marks_terms = glossary_url is not None and level != ReadingLevel.CLINICAL
    key = payload = None
    if cached and revision.id is not None:
        key = renders.key_for(
            revision.id,
            level,
            marks_terms=marks_terms,
            renderer=RENDERER_VERSION,
            language=language,
        )
        payload = renders.fetch(key)
    if payload is None:
        glossary = load_glossary(glossary_url, language) if marks_terms else None  # type: ignore[arg-type]
        payload = _render(chosen, card_url=card_url, glossary=glossary, language=language)
        if key is not None:
            renders.store(key, payload)
    library = {
        r.key: r
        for r in db.session.scalars(sa.select(Reference).where(Reference.key.in_(payload["order"])))
    }
    summary, sections = None, []
    lagging = lags_in(revision, chosen) if language != SOURCE_LANGUAGE else {}
    for (section, variant), (html, preview, rest) in zip(chosen, payload["parts"], strict=True):
        view = SectionView(
            section,
            variant,
            Markup(html),
            Markup(preview) if preview else None,
            level,
            Markup(rest) if rest else None,
            language,
            lagging.get(section.id),
        )
        if section.kind == SectionKind.SUMMARY:
            summary = view
        else:
            sections.append(view)
    return ArticleView(
        article=article,
        revision=revision,
        level=level,
        summary=summary,
        sections=sections,
        references=[
            CitedReference(n, library[k]) for n, k in enumerate(payload["order"], 1) if k in library
        ],
        broken_keys=payload["unknown"],
        language=language,
    )


def _render(
    chosen: list[tuple[Section, SectionVariant]],
    *,
    card_url: Callable[[str], str] | None,
    glossary: Glossary | None,
    language: str = SOURCE_LANGUAGE,
) -> dict:
    """The expensive part, done once per cache key: Markdown, citations, glossary marking."""
    keys = {key for _, v in chosen for key in citation_keys(v.body)}
    known = set(db.session.scalars(sa.select(Reference.key).where(Reference.key.in_(keys))))
    # The render key names the page's language, so the marker's label follows it (not the
    # request's: a staff preview of Spanish text is an English page).
    with force_locale(language):
        label = str(gettext("Reference"))
    registry = CitationRegistry(known_keys=known, marker_label=label)
    parts = []
    for section, variant in chosen:
        rendered = render(
            variant.body,
            registry,
            card_url=card_url,
            collapsible=section.kind not in NEVER_COLLAPSED,
            glossary=glossary,
        )
        preview, rest = rendered.preview_html, rendered.rest_html
        parts.append(
            [
                str(rendered.html),
                str(preview) if preview is not None else None,
                str(rest) if rest is not None else None,
            ]
        )
    return {"parts": parts, "order": registry.order, "unknown": registry.unknown}


def recent_articles(limit: int = 10) -> list[Article]:
    """Public articles, most recently updated first (a partial index walk)."""
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(publicly_visible())
            .order_by(Article.updated_at.desc())
            .limit(limit)
        )
    )


def approved_articles(limit: int = 10) -> list[Article]:
    """Articles with a live, reviewed revision, most recently reviewed first."""
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(Article.live_revision_id.is_not(None))
            .order_by(Article.reviewed_at.desc())
            .limit(limit)
        )
    )


def topics_with_counts() -> list[tuple[Topic, int]]:
    """Every topic with its stored number of public articles."""
    topics = db.session.scalars(sa.select(Topic).order_by(Topic.name))
    return [(topic, topic.article_count) for topic in topics]


@dataclass
class TopicPage:
    """One page of a topic's public articles, newest first, with keyset links both ways."""

    articles: list[Article]
    newer: int | None  # pass as `after` for the previous page
    older: int | None  # pass as `before` for the next page


def topic_articles(
    topic: Topic, *, before: int | None = None, after: int | None = None, per_page: int = 20
) -> TopicPage:
    """A page of a topic's public articles by the (topic, article) index: cost per page, not
    per topic. `before`/`after` are article ids from the previous page's links."""
    link = article_topics.c.article_id
    query = (
        sa.select(Article)
        .join(article_topics, link == Article.id)
        .where(article_topics.c.topic_id == topic.id, publicly_visible())
        .limit(per_page + 1)
    )
    if after is not None:
        rows = list(db.session.scalars(query.where(link > after).order_by(link.asc())))
        has_newer = len(rows) > per_page
        rows = list(reversed(rows[:per_page]))
        has_older = True
    else:
        if before is not None:
            query = query.where(link < before)
        rows = list(db.session.scalars(query.order_by(link.desc())))
        has_older = len(rows) > per_page
        rows = rows[:per_page]
        has_newer = before is not None
    return TopicPage(
        articles=rows,
        newer=rows[0].id if rows and has_newer else None,
        older=rows[-1].id if rows and has_older else None,
    )


def related_articles(article: Article, limit: int = 4) -> list[Article]:
    """Other public articles sharing a topic with this one, newest first: one query that walks
    the (topic, article) index a few rows per topic, whatever the size of the topics."""
    topic_ids = [t.id for t in article.topics][:5]
    if not topic_ids:
        return []
    link = article_topics.c.article_id
    # Each branch keeps only public articles: drafts of new articles carry topics too, and newer
    # drafts must not crowd the public ones out of a branch's few rows. With that, `limit` rows a
    # topic always hold the newest `limit` overall.
    per_topic = [
        sa.select(link)
        .join(Article, Article.id == link)
        .where(article_topics.c.topic_id == topic_id, link != article.id, publicly_visible())
        .order_by(link.desc())
        .limit(limit)
        .subquery()
        for topic_id in topic_ids
    ]
    candidates = sa.union(*[sa.select(branch.c.article_id) for branch in per_topic])
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(Article.id.in_(candidates), publicly_visible())
            .order_by(Article.id.desc())
            .limit(limit)
        )
    )
