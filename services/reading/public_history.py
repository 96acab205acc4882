"""An article's public review record: each approved revision and what it changed.

Readers see approvals only: who reviewed, when, the editor's change note and the wording that
changed; and each approved library change (a source or a glossary explanation) that altered its
text, by the fields it changed. Drafts, revisions sent back, reviewers' comments, override
reasons and the values of library changes stay internal.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from extensions import db
from models import (
    Article,
    ChangeStatus,
    LibraryChange,
    LibraryKind,
    ReviewStatus,
    Revision,
    Section,
    library_change_articles,
)
from services.editorial.diffing import RevisionDiff, diff, source_only
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
            diff(source_only(snapshot_of(base, names)), source_only(snapshot_of(revision, names)))
            if base is not None
            else None,
        )
        for revision, base in zip(revisions, bases, strict=True)
    ]
    return entries[::-1]


@dataclass
class LibraryCorrection:
    """An approved change to a reference or glossary term that altered this article's public
    text: which entry, which fields (never their values), who approved it and when."""

    change: LibraryChange
    entry: str  # how readers know the entry: a source's title, a term

    @property
    def is_reference(self) -> bool:
        return self.change.kind == LibraryKind.REFERENCE

    @property
    def fields(self) -> list[str]:
        return self.change.changed_labels


def library_corrections(article: Article) -> list[LibraryCorrection]:
    """Approved library changes that altered `article`, newest first."""
    found = db.session.scalars(
        sa.select(LibraryChange)
        .join(library_change_articles, library_change_articles.c.change_id == LibraryChange.id)
        .where(
            library_change_articles.c.article_id == article.id,
            LibraryChange.status == ChangeStatus.APPROVED,
        )
        .order_by(LibraryChange.decided_at.desc(), LibraryChange.id.desc())
        .options(selectinload(LibraryChange.decided_by))
    )
    corrections = []
    for change in found:
        if change.kind == LibraryKind.REFERENCE:
            # The title as approved: public since the approval, unlike a later pending draft.
            entry = change.proposed.get("title") or change.target_label
        else:
            entry = change.proposed.get("term") or change.target_label
        corrections.append(LibraryCorrection(change, entry))
    return corrections
