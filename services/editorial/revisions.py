"""Writing revisions: articles, their append-only revisions, and locks.

Every save makes a new revision holding a full snapshot (question, sections, a text per reading
level, each measured for readability when saved), with `based_on_id` naming the revision it
started from: saving against a newer one is a `Conflict`, never an overwrite (Wagtail's model).
Whether a revision is public is publishing.py's business, decided after each review transition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    ReviewStatus,
    Revision,
    Section,
    SectionKind,
    SectionVariant,
    Topic,
    User,
    revision_references,
)
from models.base import utcnow
from services.editorial import translations
from services.editorial.inputs import (
    LEVELS,
    SectionInput,
    carry_translations,
    inputs_from,
    normalised,
)
from services.errors import Conflict, DomainError, NotPermitted
from services.reading.languages import readability_formulas
from services.reading.markdown import citation_keys
from services.reading.personalization import ONLY_AT
from services.reading.readability import FLESCH_KINCAID, Readability, measure
from services.staff import audit
from services.staff.permissions import Permission, can, require

MAX_QUESTION = 300
MAX_HEADING = 200
MAX_BODY = 50_000  # characters in one section at one level
MAX_SECTIONS = 30
# Reached by no `based_on_id` a caller can pass: "don't check for a conflict" (demo loader, tests).
UNCHECKED = object()


def slugify(text: str, max_length: int = 80) -> str:
    """A URL slug from a question: ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "article"


def _unique_slug(base: str) -> str:
    taken = set(
        db.session.scalars(
            sa.select(Article.slug).where(
                sa.or_(Article.slug == base, Article.slug.like(f"{base}-%"))
            )
        )
    )
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def create_article(
    *,
    question: str,
    topics: list[Topic] | None = None,
    slug: str | None = None,
    is_demo: bool = False,
    actor: User | None = None,
) -> Article:
    """A new article with no revision yet; its slug comes from the question unless given.

    :raises DomainError: the question is empty or too long, or the slug is taken.
    """
    question = " ".join(question.split())
    _check_question(question)
    if slug is None:
        slug = _unique_slug(slugify(question))
    elif db.session.scalar(sa.select(Article.id).where(Article.slug == slug)):
        raise DomainError(f"An article already has the address /articles/{slug}.")
    article = Article(slug=slug, question=question, topics=list(topics or []), is_demo=is_demo)
    db.session.add(article)
    if actor is not None:
        require(actor, Permission.EDIT)
        audit.record("article.create", actor=actor, target=article, changes={"slug": slug})
    return article


def _check_question(question: str) -> None:
    if not question:
        raise DomainError("Write the question the article answers.")
    if len(question) > MAX_QUESTION:
        raise DomainError(f"The question is too long: at most {MAX_QUESTION} characters.")


def _check_sections(sections: list[SectionInput]) -> None:
    if len(sections) > MAX_SECTIONS:
        raise DomainError(f"An article can have at most {MAX_SECTIONS} sections.")
    if sum(1 for s in sections if s.kind == SectionKind.SUMMARY) > 1:
        raise DomainError("An article has one short answer; make the others ordinary sections.")
    if sum(1 for s in sections if s.kind == SectionKind.QUESTIONS) > 1:
        raise DomainError(
            f"An article has one “{SectionKind.QUESTIONS.label}” section: put every question in it."
        )
    for position, item in enumerate(sections, 1):
        name = item.heading.strip() or f"Section {position}"
        if not item.heading.strip():
            raise DomainError(f"Section {position} needs a heading.")
        if len(item.heading) > MAX_HEADING:
            raise DomainError(f"“{name[:60]}”: the heading is too long (at most {MAX_HEADING}).")
        if not any(body.strip() for body in item.variants.values()):
            raise DomainError(f"“{name}” is empty: write it at one reading level at least.")
        bodies = [*item.variants.values()]
        bodies += [b for by_level in (item.translations or {}).values() for b in by_level.values()]
        if any(len(body) > MAX_BODY for body in bodies):
            raise DomainError(f"“{name}” is too long: at most {MAX_BODY:,} characters a level.")
        if any(len(h) > MAX_HEADING for h in (item.heading_translations or {}).values()):
            raise DomainError(f"“{name[:60]}”: a translated heading is too long.")
        if item.kind in ONLY_AT and not any(
            (item.variants.get(level) or "").strip() for level in ONLY_AT[item.kind]
        ):
            raise DomainError(
                f"“{name}” is shown to patients and students only: write its plain or standard "
                "wording."
            )


def build_sections(
    items: list[SectionInput],
    *,
    measure_text: Callable[..., Readability] = measure,
    formulas: dict[str, str] | None = None,
) -> list[Section]:
    """Sections and their variants from input, clinical wording first, empty levels left out,
    each variant's readability measured now (a save stores it; a preview shows it), by its
    language's formula (`formulas`, by code: `languages.readability_formulas()`)."""
    sections = []
    for position, item in enumerate(items):
        section = Section(
            kind=item.kind,
            heading=item.heading,
            position=position,
            heading_translations=item.heading_translations or None,
        )
        wordings = [(SOURCE_LANGUAGE, item.variants)] + sorted((item.translations or {}).items())
        for language, by_level in wordings:
            for level in LEVELS:
                body = (by_level.get(level) or "").strip()
                if not body:
                    continue
                formula = (formulas or {}).get(language, FLESCH_KINCAID)
                figures = measure_text(body, formula)
                variant = SectionVariant(
                    language=language,
                    level=level,
                    body=body,
                    fk_grade=figures.fk_grade,
                    smog_grade=figures.smog_grade,
                    reading_ease=figures.ease,
                    word_count=figures.word_count,
                )
                if language == SOURCE_LANGUAGE:
                    section.variants.append(variant)
                else:
                    section.translations.append(variant)
        sections.append(section)
    return sections


def check_can_save(article: Article, author: User) -> None:
    """:raises NotPermitted: the author may not edit, or someone else holds the article's lock."""
    require(author, Permission.EDIT)
    if article.locked_by_id is not None and article.locked_by_id != author.id:
        holder = article.locked_by.name if article.locked_by else "another editor"
        raise NotPermitted(f"{holder} has locked this article for editing.")


def unchanged(
    revision: Revision,
    *,
    question: str,
    sections: list[SectionInput],
    topics: list[Topic],
    next_review_on: date | None,
    question_translations: dict[str, str] | None = None,
) -> bool:
    """Whether saving this text would make a copy of `revision` (the change note aside;
    translations given as None are kept, so they count as unchanged)."""
    question, sections = normalised(question, sections)
    if question_translations is not None:
        given_questions = {k: " ".join(v.split()) for k, v in question_translations.items()}
        if {k: v for k, v in given_questions.items() if v} != (
            revision.question_translations or {}
        ):
            return False
    saved = [
        (s.kind, s.heading, {v.level: v.body for v in s.variants})
        for s in sorted(revision.sections, key=lambda s: s.position)
    ]
    given = [s for s in sections if s.translations is not None]
    if given and [(s.translations, s.heading_translations or {}) for s in sections] != [
        (i.translations, i.heading_translations) for i in inputs_from(revision)
    ]:
        return False
    topic_ids = revision.topic_ids
    if topic_ids is None:
        topic_ids = [t.id for t in revision.article.topics]
    return (
        question == revision.question
        and [(s.kind, s.heading, s.variants) for s in sections] == saved
        and sorted(t.id for t in topics) == sorted(topic_ids)
        and next_review_on == revision.next_review_on
    )


def save_revision(
    article: Article,
    *,
    author: User | None,
    question: str,
    sections: list[SectionInput],
    change_note: str = "",
    based_on_id: int | None | object = UNCHECKED,
    topics: list[Topic] | None = None,
    next_review_on: date | None = None,
    created_at: datetime | None = None,
    restored_from: Revision | None = None,
    question_translations: dict[str, str] | None = None,
) -> Revision:
    """Append a new draft revision: a full snapshot, its readability measured now, not per view.

    `based_on_id` is the revision the editor started from (None for a new article's first save);
    `restored_from` the older revision whose text this one copies (`restore_revision`).
    Translations (`SectionInput.translations`, `question_translations`; None: keep the previous
    revision's) record the English they translate (services.editorial.translations).
    :raises Conflict: someone saved a newer revision since; nothing is written.
    :raises NotPermitted: the author may not edit, or the article is locked by someone else.
    :raises DomainError: the content breaks a rule (empty question or section, too long).
    """
    question, sections = normalised(question, sections)
    _check_question(question)
    _check_sections(sections)
    previous = article.latest_revision if article.id else None
    carry_translations(sections, previous)
    if question_translations is None:
        question_translations = dict(previous.question_translations or {}) if previous else {}
    question_translations = {k: " ".join(v.split()) for k, v in question_translations.items()}
    question_translations = {k: v for k, v in question_translations.items() if v}
    if any(len(q) > MAX_QUESTION for q in question_translations.values()):
        raise DomainError(f"A translated question is too long: at most {MAX_QUESTION} characters.")
    translations.check_languages(
        {lang for s in sections for lang in s.translations or {}}
        | {lang for s in sections for lang in s.heading_translations or {}}
        | set(question_translations)
    )
    if author is not None:
        check_can_save(article, author)
    if based_on_id is not UNCHECKED and based_on_id != article.latest_revision_id:
        latest = article.latest_revision
        who = latest.author.name if latest and latest.author else "Someone"
        raise Conflict(
            f"{who} saved revision {latest.number if latest else '?'} after you started "
            "editing. Compare the changes, merge them into your text and save again.",
            latest=latest,
            base_id=based_on_id,  # type: ignore[arg-type]
        )
    number = (
        db.session.scalar(
            sa.select(sa.func.max(Revision.number)).where(Revision.article_id == article.id)
        )
        if article.id
        else None
    )
    formulas = readability_formulas()
    revision = Revision(
        article=article,
        number=(number or 0) + 1,
        based_on_id=article.latest_revision_id,
        question=question,
        question_translations=question_translations or None,
        change_note=change_note.strip(),
        topic_ids=sorted(t.id for t in topics) if topics is not None else None,
        next_review_on=next_review_on,
        status=ReviewStatus.DRAFT,
        author=author,
        created_at=created_at or utcnow(),
        restored_from_id=restored_from.id if restored_from else None,
    )
    # Nothing of the new revision may flush before its translations know their source: once
    # written, a variant cannot change (models/revision.py).
    with db.session.no_autoflush:
        revision.sections.extend(build_sections(sections, formulas=formulas))
        translations.assign_sources(
            revision,
            [previous, restored_from],
            {position: s.confirmed for position, s in enumerate(sections) if s.confirmed},
        )
    db.session.add(revision)
    article.latest_revision = revision
    db.session.flush()
    cited = {
        key
        for s in sections
        for by_level in [s.variants, *(s.translations or {}).values()]
        for body in by_level.values()
        for key in citation_keys(body)
    }
    if cited:
        db.session.execute(
            sa.insert(revision_references),
            [{"revision_id": revision.id, "reference_key": key[:60]} for key in sorted(cited)],
        )
    if author is not None:
        audit.record(
            "revision.save",
            actor=author,
            target=revision,
            changes={"number": revision.number, "change_note": revision.change_note},
        )
    return revision


def restore_revision(revision: Revision, *, actor: User, based_on_id: int | None) -> Revision:
    """Copy an old revision into a new draft; history is never rewritten.

    :raises Conflict: the article changed since the page was opened.
    """
    sections = inputs_from(revision)
    topics = None
    if revision.topic_ids is not None:
        topics = list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(revision.topic_ids))))
    restored = save_revision(
        revision.article,
        author=actor,
        question=revision.question,
        sections=sections,
        change_note=f"Restored from revision {revision.number}",
        based_on_id=based_on_id,
        topics=topics,
        next_review_on=revision.next_review_on,
        restored_from=revision,
        question_translations=dict(revision.question_translations or {}),
    )
    audit.record(
        "revision.restore",
        actor=actor,
        target=restored,
        changes={"restored_from": revision.number, "number": restored.number},
    )
    return restored


def lock(article: Article, *, actor: User) -> None:
    """Lock the article for editing by anyone else (Wagtail's page lock).

    :raises NotPermitted: someone else holds the lock already.
    """
    require(actor, Permission.EDIT)
    if article.locked_by_id == actor.id:
        return
    if article.locked_by_id is not None:
        raise NotPermitted(f"{article.locked_by.name} already holds the lock on this article.")
    article.locked_by = actor
    article.locked_at = utcnow()
    audit.record("article.lock", actor=actor, target=article)


def unlock(article: Article, *, actor: User) -> None:
    """Release the lock: the holder may, and an administrator may release anyone's.

    :raises NotPermitted: someone else holds it and the actor is not an administrator.
    """
    if article.locked_by_id is None:
        return
    if article.locked_by_id != actor.id:
        require(actor, Permission.UNLOCK)
    holder = article.locked_by.email if article.locked_by else ""
    article.locked_by = None
    article.locked_at = None
    audit.record("article.unlock", actor=actor, target=article, changes={"holder": holder})


def can_edit(article: Article, user: User) -> bool:
    """Whether the editor should offer `user` a Save button (the service checks again)."""
    return can(user, Permission.EDIT) and article.locked_by_id in (None, user.id)
