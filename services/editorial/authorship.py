"""Who wrote the text a revision puts before the board: the input to the four-eyes rule.

Every revision since the last approval before it (or since the article began), up to the
revision itself, counts: a colleague's one-character edit on top does not make the text theirs
alone. A revision that restores an older one counts that one's author too, back through restores
of restores. `services.staff.permissions.independence` then decides who may not decide it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from extensions import db
from models import ReviewStatus, Revision, User


@dataclass
class Authorship:
    """One person's part in the text under review: "wrote revision 4", "wrote revision 2,
    restored as revision 5"."""

    user: User
    parts: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"{self.user.name} ({'; '.join(self.parts)})"


def last_approval_before(article_id, number) -> sa.ScalarSelect:
    """The number of the article's last approved revision before `number` (NULL: none yet).
    `article_id` and `number` are values, or columns of an outer query (the review queue)."""
    approved = aliased(Revision)
    return (
        sa.select(sa.func.max(approved.number))
        .where(
            approved.article_id == article_id,
            approved.status == ReviewStatus.APPROVED,
            approved.number < number,
        )
        .scalar_subquery()
    )


def authors_since_approval(revision: Revision) -> list[Authorship]:
    """The authors of the text `revision` asks to approve, in the order they first appear."""
    last_approval = last_approval_before(revision.article_id, revision.number)
    in_range = db.session.scalars(
        sa.select(Revision)
        .where(
            Revision.article_id == revision.article_id,
            Revision.number > sa.func.coalesce(last_approval, 0),
            Revision.number <= revision.number,
        )
        .order_by(Revision.number)
        .options(selectinload(Revision.author))
    ).all()
    found: dict[int, Authorship] = {}

    def note(author: User | None, part: str) -> None:
        if author is not None:
            found.setdefault(author.id, Authorship(author)).parts.append(part)

    for written in in_range:
        note(written.author, f"wrote revision {written.number}")
        source_id, seen = written.restored_from_id, {written.id}
        while source_id is not None and source_id not in seen:
            source = db.session.get(Revision, source_id)
            if source is None:
                break
            seen.add(source.id)
            note(
                source.author,
                f"wrote revision {source.number}, restored as revision {written.number}",
            )
            source_id = source.restored_from_id
    return list(found.values())
