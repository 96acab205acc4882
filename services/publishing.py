"""Creating revisions and choosing which one readers see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from extensions import db
from models import (
    Article,
    ReadingLevel,
    ReviewStatus,
    Revision,
    Section,
    SectionKind,
    SectionVariant,
    Topic,
    User,
)
from models.base import utcnow
from services.markdown import plain_blocks
from services.readability import measure


@dataclass
class SectionInput:
    kind: SectionKind
    heading: str
    variants: dict[ReadingLevel, str] = field(default_factory=dict)


def create_article(
    *, slug: str, question: str, topics: list[Topic], is_demo: bool = False
) -> Article:
    """A new article with no revision yet."""
    article = Article(slug=slug, question=question, topics=topics, is_demo=is_demo)
    db.session.add(article)
    return article


def save_revision(
    article: Article,
    *,
    author: User | None,
    question: str,
    sections: list[SectionInput],
    change_note: str = "",
    created_at: datetime | None = None,
) -> Revision:
    """Append a new draft revision: a full snapshot, its readability measured now, not per view."""
    number = (
        db.session.scalar(
            sa.select(sa.func.max(Revision.number)).where(Revision.article_id == article.id)
        )
        if article.id
        else None
    )
    revision = Revision(
        article=article,
        number=(number or 0) + 1,
        based_on_id=article.latest_revision_id,
        question=question,
        change_note=change_note,
        status=ReviewStatus.DRAFT,
        author=author,
        created_at=created_at or utcnow(),
    )
    for position, item in enumerate(sections):
        section = Section(kind=item.kind, heading=item.heading, position=position)
        for level, body in item.variants.items():
            figures = measure(body)
            section.variants.append(
                SectionVariant(
                    level=level,
                    body=body,
                    fk_grade=figures.fk_grade,
                    smog_grade=figures.smog_grade,
                    word_count=figures.word_count,
                )
            )
        revision.sections.append(section)
    db.session.add(revision)
    article.latest_revision = revision
    return revision


def public_revision(article: Article) -> Revision | None:
    """What readers see: the live revision, else the latest one submitted for review."""
    if article.live_revision is not None:
        return article.live_revision
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.article_id == article.id, Revision.status != ReviewStatus.DRAFT)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def sync_listing(article: Article, revision: Revision) -> None:
    """Copy the question and clinical short answer of the revision readers see onto the article."""
    article.question = revision.question
    summary = revision.summary_section
    variant = summary and (
        summary.variant(ReadingLevel.CLINICAL) or next(iter(summary.variants), None)
    )
    article.summary = " ".join(plain_blocks(variant.body)) if variant else ""
    article.updated_at = revision.created_at


def make_live(revision: Revision, *, next_review_on: date) -> None:
    """Point the article at an approved revision (called by review.approve)."""
    article = revision.article
    article.live_revision = revision
    article.next_review_on = next_review_on
    sync_listing(article, revision)


def publicly_visible() -> sa.ColumnElement[bool]:
    """SQL condition: the article has a live revision or one submitted for review."""
    submitted = (
        sa.select(Revision.id)
        .where(Revision.article_id == Article.id, Revision.status != ReviewStatus.DRAFT)
        .exists()
    )
    return sa.or_(Article.live_revision_id.is_not(None), submitted)
