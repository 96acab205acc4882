"""Promotion: a reader's question becomes a draft article, pre-filled with what the instant
answer found, verbatim and cited, for an editor to write from."""

from __future__ import annotations

import sqlalchemy as sa

from extensions import db
from models import Article, FollowupQuestion, FollowupStatus, ReadingLevel, SectionKind, User
from services.editorial.revisions import MAX_QUESTION, SectionInput, create_article, save_revision
from services.errors import DomainError, InvalidTransition
from services.followups.instant import answer_from_evidence
from services.followups.queue import set_status
from services.staff import audit
from services.staff.permissions import Permission, require

# The sections a promoted draft is built from, in the order of the seed page.
PROMOTED_SECTIONS = [
    (SectionKind.GUIDELINES, {SectionKind.GUIDELINES}),
    (SectionKind.DRUG_LABEL, {SectionKind.DRUG_LABEL}),
    (SectionKind.RESEARCH, {SectionKind.RESEARCH}),
    (SectionKind.OTHER, {SectionKind.SUMMARY, SectionKind.OTHER}),
]


def promoted_from(article: Article) -> FollowupQuestion | None:
    """The question `article` was promoted from, if any: one lookup on an indexed column."""
    return db.session.scalar(
        sa.select(FollowupQuestion)
        .where(FollowupQuestion.promoted_article_id == article.id)
        .order_by(FollowupQuestion.id)
        .limit(1)
    )


def promote(question: FollowupQuestion, *, actor: User, wording: str) -> Article:
    """Turn a new question into a draft article: `wording` (the public question, written by
    staff) as its title, and the passages the instant answer finds for it in clinical wording
    as sections by kind, verbatim with their citations. The change note names where each
    passage came from.

    Nothing of the reader's own words goes into the article, its slug, its revision or the
    audit log (the question is named by its number): they are the reader's to delete, and a
    revision and an audit row are kept for good.
    :raises InvalidTransition: the question is not new.
    :raises DomainError: no wording, or one too long for an article title.
    """
    require(actor, Permission.EDIT)
    if question.status != FollowupStatus.NEW:
        raise InvalidTransition(f"This question is {question.status.label.lower()}.")
    title = " ".join(wording.split())
    if not title:
        raise DomainError(
            "Write the question as the new article will ask it: the reader's words are never "
            "published."
        )
    if len(title) > MAX_QUESTION:
        raise DomainError(
            f"An article's question has at most {MAX_QUESTION} characters: shorten the wording."
        )
    evidence = answer_from_evidence(title, article=question.article, level=ReadingLevel.CLINICAL)
    sections = []
    for kind, sources in PROMOTED_SECTIONS:
        picked = [p for p in evidence.passages if p.section.kind in sources]
        by_level: dict[ReadingLevel, list[str]] = {}
        for passage in picked:
            by_level.setdefault(passage.variant.level, []).append(passage.markdown)
        if by_level:
            heading = "From other Vetted articles" if kind == SectionKind.OTHER else kind.label
            variants = {level: "\n\n".join(parts) for level, parts in by_level.items()}
            sections.append(SectionInput(kind, heading, variants))
    origins = ", ".join(
        dict.fromkeys(f"/articles/{p.article.slug}#{p.anchor}" for p in evidence.passages)
    )
    article = create_article(question=title, topics=list(question.article.topics), actor=actor)
    save_revision(
        article,
        author=actor,
        question=title,
        sections=sections,
        change_note=f"Promoted from follow-up question #{question.id}."
        + (f" Passages copied verbatim from {origins}." if origins else ""),
        based_on_id=None,
        topics=list(question.article.topics),
    )
    question.promoted_article = article
    changes = set_status(question, FollowupStatus.PROMOTED) | {"article": article.id}
    audit.record("followup.promote", actor=actor, target=question, changes=changes)
    return article
