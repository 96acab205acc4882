"""What a reader sees of an article: the revision, its text at a reading level, its references."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from extensions import db
from models import (
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
from services.markdown import CitationRegistry, Glossary, citation_keys, render
from services.personalization import choose_variant
from services.publishing import publicly_visible


@dataclass
class SectionView:
    section: Section
    variant: SectionVariant
    html: Markup
    preview_html: Markup | None
    requested: ReadingLevel

    @property
    def anchor(self) -> str:
        return self.section.anchor

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
        words = sum(v.word_count for v in parts)
        if not words:
            return None
        return sum(v.fk_grade * v.word_count for v in parts) / words

    @property
    def smog_grade(self) -> float | None:
        parts = [p.variant for p in [self.summary, *self.sections] if p and p.variant.smog_grade]
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


def load_revision(revision_id: int) -> Revision | None:
    """A revision with its sections, variants and reviewer: three queries, whatever its size."""
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.id == revision_id)
        .options(
            selectinload(Revision.sections).selectinload(Section.variants),
            selectinload(Revision.reviewer),
        )
        .execution_options(populate_existing=True)
    )


def load_glossary(url: Callable[[GlossaryTerm], str]) -> Glossary:
    """Every glossary term, ready to mark up text."""
    return Glossary.build(db.session.scalars(sa.select(GlossaryTerm)).all(), url)


def build_view(
    article: Article,
    level: ReadingLevel,
    *,
    card_url: Callable[[str], str] | None,
    glossary_url: Callable[[GlossaryTerm], str] | None = None,
    revision: Revision | None = None,
) -> ArticleView | None:
    """Render a revision at `level`; citations numbered across the whole page.

    By default the revision readers see; staff previews pass another one, saved or not (an
    unsaved one is built from transient objects by the editor), and get exactly the same page.
    With `glossary_url`, terms are explained inline, in plain and standard wording only:
    clinicians don't need it.
    """
    glossary = None
    if glossary_url and level != ReadingLevel.CLINICAL:
        glossary = load_glossary(glossary_url)
    if revision is None:
        if article.public_revision_id is None:
            return None
        revision = load_revision(article.public_revision_id)
        if revision is None:
            return None
    chosen = [(s, choose_variant(s, level)) for s in revision.sections]
    chosen = [(s, v) for s, v in chosen if v is not None]
    keys = {key for _, v in chosen for key in citation_keys(v.body)}
    library = {
        r.key: r for r in db.session.scalars(sa.select(Reference).where(Reference.key.in_(keys)))
    }
    registry = CitationRegistry(known_keys=set(library))
    summary, sections = None, []
    for section, variant in chosen:
        is_summary = section.kind == SectionKind.SUMMARY
        rendered = render(
            variant.body,
            registry,
            card_url=card_url,
            collapsible=not is_summary,
            glossary=glossary,
        )
        view = SectionView(section, variant, rendered.html, rendered.preview_html, level)
        if is_summary:
            summary = view
        else:
            sections.append(view)
    return ArticleView(
        article=article,
        revision=revision,
        level=level,
        summary=summary,
        sections=sections,
        references=[CitedReference(n, library[k]) for n, k in enumerate(registry.order, 1)],
        broken_keys=registry.unknown,
    )


def recent_articles(limit: int = 10) -> list[Article]:
    """Publicly visible articles, most recently updated first."""
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(publicly_visible())
            .order_by(Article.updated_at.desc())
            .limit(limit)
        )
    )


def approved_articles(limit: int = 10) -> list[Article]:
    """Articles with a live, reviewed revision."""
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(Article.live_revision_id.is_not(None))
            .order_by(Article.question)
            .limit(limit)
        )
    )


def topics_with_counts() -> list[tuple[Topic, int]]:
    """Every topic with the number of publicly visible articles in it."""
    count = sa.func.count(Article.id)
    rows = db.session.execute(
        sa.select(Topic, count)
        .outerjoin(article_topics, article_topics.c.topic_id == Topic.id)
        .outerjoin(Article, sa.and_(Article.id == article_topics.c.article_id, publicly_visible()))
        .group_by(Topic.id)
        .order_by(Topic.name)
    )
    return [(topic, n) for topic, n in rows]


def topic_articles(topic: Topic) -> list[Article]:
    """Publicly visible articles in a topic."""
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(Article.topics.any(Topic.id == topic.id), publicly_visible())
            .order_by(Article.question)
        )
    )


def related_articles(article: Article, limit: int = 4) -> list[Article]:
    """Other visible articles sharing a topic with this one."""
    topic_ids = [t.id for t in article.topics]
    if not topic_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(
                Article.id != article.id,
                Article.topics.any(Topic.id.in_(topic_ids)),
                publicly_visible(),
            )
            .order_by(Article.question)
            .limit(limit)
        )
    )


def structured_data(view: ArticleView, url: str) -> dict:
    """schema.org MedicalWebPage for search engines: review, reviewer and citations."""
    revision = view.revision
    data: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": revision.question,
        "headline": revision.question,
        "url": url,
        "description": view.article.summary,
        "dateModified": revision.created_at.date().isoformat(),
        "about": [t.name for t in view.article.topics],
        "citation": [_citation(c.reference) for c in view.references],
    }
    if view.is_approved and revision.reviewer and revision.reviewed_at:
        data["lastReviewed"] = revision.reviewed_at.date().isoformat()
        data["reviewedBy"] = {"@type": "Person", "name": revision.reviewer.display_name}
    return data


def _citation(ref: Reference) -> dict:
    item: dict = {"@type": "CreativeWork", "name": ref.title}
    if ref.authors:
        item["author"] = ref.authors
    if ref.journal:
        item["isPartOf"] = ref.journal
    if ref.year:
        item["datePublished"] = str(ref.year)
    identifiers = [f"doi:{ref.doi}"] if ref.doi else []
    identifiers += [f"pmid:{ref.pmid}"] if ref.pmid else []
    if identifiers:
        item["identifier"] = identifiers
    return item
