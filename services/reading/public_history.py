"""An article's public review record: each approved revision and what it changed.

Readers see approvals only: who reviewed, when, the editor's change note and the wording that
changed. Drafts, revisions sent back, reviewers' comments and override reasons stay internal.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from extensions import db
from models import Article, ReviewStatus, Revision, Section
from services.editorial.diffing import RevisionDiff, diff
from services.editorial.dossier import previous_round, snapshot_of, topic_names


@dataclass
class Approval:
    revision: Revision
    # What it is compared with: the approval before it; for the first approval, the version
    # readers saw under the caution banner while it was pending (None: nothing was shown before).
    base: Revision | None
    diff: RevisionDiff | None

    @property
    def is_first(self) -> bool:
        return self.base is None or self.base.status != ReviewStatus.APPROVED


def approvals(article: Article) -> list[Approval]:
    """Every approved revision of `article`, newest first, each compared with the one before."""
    revisions = list(
        db.session.scalars(
            sa.select(Revision)
            .where(Revision.article_id == article.id, Revision.status == ReviewStatus.APPROVED)
            .order_by(Revision.number)
            .options(
                selectinload(Revision.sections).selectinload(Section.variants),
                selectinload(Revision.reviewer),
            )
        )
    )
    if not revisions:
        return []
    # Before its first approval an article is shown under the caution banner: readers saw the
    # latest revision sent for review, never a draft.
    bases = [previous_round(revisions[0]), *revisions[:-1]]
    names = topic_names(*revisions, bases[0])
    entries = [
        Approval(
            revision,
            base,
            diff(snapshot_of(base, names), snapshot_of(revision, names))
            if base is not None
            else None,
        )
        for revision, base in zip(revisions, bases, strict=True)
    ]
    return entries[::-1]
