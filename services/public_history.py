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
from services.diffing import RevisionDiff, diff, snapshot
from services.dossier import topic_names


@dataclass
class Approval:
    revision: Revision
    diff: RevisionDiff | None  # None for the first approved revision: nothing to compare with

    @property
    def is_first(self) -> bool:
        return self.diff is None


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
    names = topic_names(*revisions)
    snapshots = [snapshot(r, names) for r in revisions]
    entries = [
        Approval(revision, diff(snapshots[i - 1], snapshots[i]) if i else None)
        for i, revision in enumerate(revisions)
    ]
    return entries[::-1]
