"""Plain builders with sensible defaults, CTFd's gen_* style."""

from __future__ import annotations

from itertools import count

from flask import current_app

from extensions import db
from models import (
    Article,
    ReadingLevel,
    Reference,
    ReferenceKind,
    Role,
    SectionKind,
    SourceRead,
    User,
)
from services.editorial import review
from services.editorial.revisions import SectionInput, create_article, save_revision
from services.followups import questions
from services.followups.questions import Asked
from services.staff.passwords import hash_password

_seq = count(1)


def make_user(
    *,
    role: Role = Role.EDITOR,
    email: str | None = None,
    password: str | None = None,
    name: str = "",
    credentials: str = "",
) -> User:
    user = User(
        email=email or f"user{next(_seq)}@example.org",
        role=role,
        name=name or f"{role.value.title()} {next(_seq)}",
        credentials=credentials,
    )
    if password:
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def ask_question(article: Article, **fields) -> Asked:
    """A reader's follow-up question, asked through the service as the route asks it (with the
    app's secret key, so its private link and duplicate check match the route's)."""
    fields.setdefault("level", ReadingLevel.CLINICAL)
    fields.setdefault("client", "test-client")
    return questions.ask(article, secret=current_app.config["SECRET_KEY"], **fields)


def make_reference(key: str = "ref", **fields) -> Reference:
    defaults = {
        "kind": ReferenceKind.RESEARCH,
        "title": f"A study called {key}",
        "read": SourceRead.ABSTRACT,
        "journal": "Blood",
        "year": 2020,
    }
    reference = Reference(key=key, **{**defaults, **fields})
    db.session.add(reference)
    db.session.flush()
    return reference


def make_sections(
    summary: str = "Short answer [@ref].", guidelines: str = "Guideline text [@ref]."
) -> list[SectionInput]:
    return [
        SectionInput(SectionKind.SUMMARY, "Short answer", {ReadingLevel.CLINICAL: summary}),
        SectionInput(
            SectionKind.GUIDELINES, "From the Guidelines", {ReadingLevel.CLINICAL: guidelines}
        ),
    ]


def make_article(
    *,
    slug: str | None = None,
    question: str = "What is the question?",
    status: str = "approved",
    author: User | None = None,
    reviewer: User | None = None,
    sections: list[SectionInput] | None = None,
) -> Article:
    """An article with one revision moved to `status` through the review service."""
    article = create_article(slug=slug or f"article-{next(_seq)}", question=question, topics=[])
    db.session.flush()
    author = author or make_user(role=Role.EDITOR)
    revision = save_revision(
        article, author=author, question=question, sections=sections or make_sections()
    )
    if status != "draft":
        review.submit(revision, actor=author)
    if status in ("under_review", "approved", "changes_requested"):
        reviewer = reviewer or make_user(role=Role.REVIEWER, credentials="MD")
        review.start_review(revision, reviewer=reviewer)
        if status == "approved":
            # Checks are the subject of their own tests; here a factory article may cite "ref"
            # without the library having it.
            review.approve(revision, reviewer=reviewer, override_reason="Factory article")
        elif status == "changes_requested":
            review.request_changes(revision, reviewer=reviewer, comment="Fix it.")
    db.session.flush()
    return article


def approved(result):
    """An edit of a library entry public text uses, or a new entry it already uses, waits for
    review (services/library/changes.py): approve it as a board member who did not propose it,
    so it reaches readers. Returns what the service returned, but for a new entry the entry its
    approval created; an edit applied at once is returned as it is."""
    from models import LibraryChange
    from services.library import changes

    if isinstance(result, LibraryChange):
        changes.approve(result, approver=make_user(role=Role.REVIEWER, credentials="MD"))
        if result.is_new:
            return changes.target_of(result)
    return result
