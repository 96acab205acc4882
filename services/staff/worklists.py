"""What is waiting for whom: the staff dashboard's lists and the review queue.

Each list is two queries (a count and one page of rows, with what its rows show loaded up front)
and every readability flag on a page comes from one more query, so the cost of a page does not
grow with the number of articles or rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    LevelSetting,
    ReadabilityTarget,
    ReviewStatus,
    Revision,
    Section,
    SectionVariant,
    User,
)
from services.editorial.authorship import last_approval_before
from services.editorial.publishing import section_lags, wording_above_target
from services.reading.readability import OverTarget
from services.staff.permissions import Permission, can

S = ReviewStatus
PAGE_SIZE = 10
FOCUS_PAGE_SIZE = 50


@dataclass
class Worklist:
    """One list of work: `total` rows in all, `rows` the ones on this page."""

    key: str
    title: str
    total: int
    rows: list
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def more(self) -> int:
        """Rows beyond this page (the dashboard links to the rest)."""
        return max(0, self.total - self.page * self.page_size)


@dataclass
class Worklists:
    lists: list[Worklist]
    flags: dict[int, list[OverTarget]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Worklist:
        return next(w for w in self.lists if w.key == key)

    def __contains__(self, key: str) -> bool:
        return any(w.key == key for w in self.lists)


def _page(query: sa.Select, key: str, title: str, page: int, size: int) -> Worklist:
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    rows = list(db.session.scalars(query.limit(size).offset((page - 1) * size)))
    return Worklist(key, title, total or 0, rows, page, size)


def _revisions() -> sa.Select:
    """Revisions with what a work row shows: article (and its live and latest), author, reviewer."""
    return sa.select(Revision).options(
        selectinload(Revision.article).selectinload(Article.live_revision),
        selectinload(Revision.article).selectinload(Article.latest_revision),
        selectinload(Revision.author),
        selectinload(Revision.reviewer),
    )


def _not_overtaken() -> sa.ColumnElement[bool]:
    """No later revision of the same article has gone to the board: the round is still open."""
    later = aliased(Revision)
    return ~sa.exists().where(
        later.article_id == Revision.article_id,
        later.number > Revision.number,
        later.status != S.DRAFT,
    )


def _written_by(user: User) -> sa.ColumnElement[bool]:
    """`user` wrote one of the revisions since the last approval before this one (the text it
    puts before the board, as services/editorial/authorship.py counts it, less restores and
    account makers, which the review page explains): theirs to wait on, not to take."""
    written = aliased(Revision)
    last_approval = last_approval_before(Revision.article_id, Revision.number)
    return sa.exists().where(
        written.article_id == Revision.article_id,
        written.author_id == user.id,
        written.number > sa.func.coalesce(last_approval, 0),
        written.number <= Revision.number,
    )


def _my_drafts(user: User) -> sa.Select:
    return (
        _revisions()
        .join(Article, Article.latest_revision_id == Revision.id)
        .where(Revision.author_id == user.id, Revision.status == S.DRAFT)
        .order_by(Revision.created_at.desc(), Revision.id.desc())
    )


def _changes_requested_of(user: User) -> sa.Select:
    return (
        _revisions()
        .where(
            Revision.author_id == user.id,
            Revision.status == S.CHANGES_REQUESTED,
            _not_overtaken(),
        )
        .order_by(Revision.reviewed_at.desc(), Revision.id.desc())
    )


def _waiting() -> sa.Select:
    # Oldest first: the board takes revisions in the order they were sent.
    return (
        _revisions()
        .where(Revision.status == S.SUBMITTED)
        .order_by(Revision.submitted_at, Revision.id)
    )


def _under_review(*, by: User | None = None, not_by: User | None = None) -> sa.Select:
    query = _revisions().where(Revision.status == S.UNDER_REVIEW)
    if by is not None:
        query = query.where(Revision.reviewer_id == by.id)
    if not_by is not None:
        query = query.where(
            sa.or_(Revision.reviewer_id.is_(None), Revision.reviewer_id != not_by.id)
        )
    return query.order_by(Revision.submitted_at, Revision.id)


def _sent_back_by(user: User) -> sa.Select:
    return (
        _revisions()
        .where(
            Revision.reviewer_id == user.id,
            Revision.status == S.CHANGES_REQUESTED,
            _not_overtaken(),
        )
        .order_by(Revision.reviewed_at.desc(), Revision.id.desc())
    )


def _overdue(today: date) -> sa.Select:
    return (
        sa.select(Article)
        .where(Article.live_revision_id.is_not(None), Article.next_review_on < today)
        .options(
            selectinload(Article.live_revision).selectinload(Revision.reviewer),
            selectinload(Article.latest_revision),
        )
        .order_by(Article.next_review_on, Article.id)
    )


def _public_over_target() -> sa.Select:
    """Public articles with wording above its level's target, by question: a stored flag
    kept by services.publishing, read through its own index."""
    return (
        sa.select(Article)
        .where(Article.public_over_target == sa.true())
        .options(selectinload(Article.public_revision), selectinload(Article.latest_revision))
        .order_by(Article.question, Article.id)
    )


def _translations_behind() -> sa.Select:
    """Sections of public revisions with a translation that follows older English than the
    revision's own (`SectionVariant.lags`, settled at save), by article and section: from the
    flagged articles (`Article.public_translations_behind`, kept by services.publishing, read
    through its own index) to their public sections, each asking the lagging wordings' index
    whether it has one. Superseded revisions' lagging wordings, which accumulate with history,
    are never read (scripts/bench_translations_behind.py)."""
    return (
        sa.select(Section)
        .join(Article, Article.public_revision_id == Section.revision_id)
        .where(Article.public_translations_behind == sa.true(), section_lags())
        .options(
            selectinload(Section.translations).selectinload(SectionVariant.source_revision),
            selectinload(Section.revision).selectinload(Revision.article),
        )
        .order_by(Article.question, Article.id, Section.position)
    )


DASHBOARD_TITLES = {
    "drafts": "My drafts",
    "changes_requested": "Changes requested of me",
    "waiting": "Waiting for review",
    "reviewing": "Under review by me",
    "overdue": "Past their next-review date",
    "over_target": "Public wording above its reading target",
    "translations_behind": "Translations out of date",
}


def dashboard(user: User, *, today: date, focus: str | None = None, page: int = 1) -> Worklists:
    """The dashboard's lists for `user`; `focus` names one list to show in full, page by page."""
    queries: dict[str, sa.Select] = {
        "drafts": _my_drafts(user),
        "changes_requested": _changes_requested_of(user),
        "waiting": _waiting(),
    }
    if can(user, Permission.REVIEW):
        queries["reviewing"] = _under_review(by=user)
    queries["overdue"] = _overdue(today)
    queries["over_target"] = _public_over_target()
    queries["translations_behind"] = _translations_behind()
    if focus is not None and focus not in queries:
        focus = None
    lists = []
    for key, query in queries.items():
        if focus is None:
            lists.append(_page(query, key, DASHBOARD_TITLES[key], 1, PAGE_SIZE))
        elif key == focus:
            lists.append(_page(query, key, DASHBOARD_TITLES[key], max(page, 1), FOCUS_PAGE_SIZE))
    return Worklists(lists, readability_flags(_flagged_revision_ids(lists)))


QUEUE_TITLES = {
    "waiting": "Waiting for a reviewer",
    "reviewing": "Under review by me",
    "sent_back": "Sent back by me",
    "others": "Under review by another board member",
    "mine_waiting": "My revisions waiting for review",
}


def review_queue(user: User, *, page: int = 1) -> Worklists:
    """The review queue for `user`: what to take, what they hold, what they sent back, the rest.

    A board member never sees among those to take a revision whose text they wrote part of
    since the last approval: another must review it.
    Only the first list (to take) is paged; the others are one person's work in progress.
    """
    waiting = _waiting()
    queries: dict[str, sa.Select] = {}
    titles = dict(QUEUE_TITLES)
    if can(user, Permission.REVIEW):
        queries["waiting"] = waiting.where(~_written_by(user))
        queries["reviewing"] = _under_review(by=user)
        queries["sent_back"] = _sent_back_by(user)
        queries["others"] = _under_review(not_by=user)
        queries["mine_waiting"] = waiting.where(_written_by(user))
    else:
        queries["waiting"] = waiting
        queries["others"] = _under_review()
        titles["others"] = "Under review"
    lists = [
        _page(query, key, titles[key], max(page, 1) if key == "waiting" else 1, FOCUS_PAGE_SIZE)
        for key, query in queries.items()
    ]
    return Worklists(lists, readability_flags(_flagged_revision_ids(lists)))


def _flagged_revision_ids(lists: Iterable[Worklist]) -> set[int]:
    ids = set()
    for worklist in lists:
        for row in worklist.rows:
            if isinstance(row, Revision):
                ids.add(row.id)
            elif isinstance(row, Article) and row.public_revision_id is not None:
                ids.add(row.public_revision_id)
    return ids


def readability_flags(revision_ids: Iterable[int]) -> dict[int, list[OverTarget]]:
    """Variants above their level's target grade, per revision: one query for any number."""
    ids = sorted(set(revision_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        wording_above_target()
        .add_columns(
            Section.heading,
            SectionVariant.level,
            SectionVariant.fk_grade,
            LevelSetting.target_grade,
            SectionVariant.language,
            SectionVariant.reading_ease,
            ReadabilityTarget.target,
        )
        .where(Section.revision_id.in_(ids))
        .order_by(
            Section.revision_id, Section.position, SectionVariant.language, SectionVariant.level
        )
    )
    flags: dict[int, list[OverTarget]] = defaultdict(list)
    for revision_id, heading, level, grade, target, language, ease, ease_target in rows:
        if language == SOURCE_LANGUAGE:
            flags[revision_id].append(OverTarget(heading, level.value, grade, target))
        else:
            flags[revision_id].append(OverTarget(heading, level.value, ease, ease_target, language))
    return dict(flags)
