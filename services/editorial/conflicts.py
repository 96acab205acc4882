"""Two saves from one base: what the other editor changed beside what you changed, to merge.

Both sides are word diffs from the revision the editor started from (its `based_on_id`), paired
by each section's place in that base revision, per section and reading level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from extensions import db
from models import SOURCE_LANGUAGE, ReadingLevel, Revision, Topic
from services.editorial.diffing import (
    LevelDiff,
    RevisionDiff,
    SectionDiff,
    Snapshot,
    SnapshotSection,
    diff,
)
from services.editorial.dossier import snapshot_of
from services.editorial.editing import LEVEL_ORDER
from services.editorial.revisions import SectionInput


@dataclass
class LevelPair:
    level: ReadingLevel
    theirs: LevelDiff | None
    yours: LevelDiff | None
    language: str = SOURCE_LANGUAGE


@dataclass
class SectionPair:
    """One section as the other editor changed it and as you changed it, from the same base."""

    heading: str
    theirs: SectionDiff | None
    yours: SectionDiff | None
    levels: list[LevelPair] = field(default_factory=list)

    @property
    def both_changed(self) -> bool:
        return any(p.theirs is not None and p.yours is not None for p in self.levels)


@dataclass
class ConflictView:
    latest: Revision
    base_label: str
    theirs: RevisionDiff
    yours: RevisionDiff
    sections: list[SectionPair]


def _by_base_section(d: RevisionDiff) -> tuple[dict[int, SectionDiff], list[SectionDiff]]:
    """Index a diff's sections by their place in the base revision; new ones apart.

    Both sides of a conflict start from the same base, and `diffing.diff` lists every base
    section exactly once, in order: its place in the base identifies it on both sides.
    """
    from_base, added, position = {}, [], 0
    for section in d.sections:
        if section.old_heading is None:
            added.append(section)
        else:
            from_base[position] = section
            position += 1
    return from_base, added


def _changed(section: SectionDiff | None) -> bool:
    return section is not None and section.status != "unchanged"


def _pair(heading: str, theirs: SectionDiff | None, yours: SectionDiff | None) -> SectionPair:
    theirs = theirs if _changed(theirs) else None
    yours = yours if _changed(yours) else None
    # Per language and level: a Spanish wording changed on either side is shown like English,
    # so a merge never drops a translation unseen.
    their_levels = {(lv.language, lv.level): lv for lv in theirs.changed_levels} if theirs else {}
    your_levels = {(lv.language, lv.level): lv for lv in yours.changed_levels} if yours else {}
    languages = sorted({k[0] for k in [*their_levels, *your_levels]} - {SOURCE_LANGUAGE})
    levels = [
        LevelPair(level, their_levels.get(key), your_levels.get(key), language)
        for language in [SOURCE_LANGUAGE, *languages]
        for level in LEVEL_ORDER
        if (key := (language, level)) in their_levels or key in your_levels
    ]
    return SectionPair(heading, theirs, yours, levels)


def topic_names() -> dict[int, str]:
    """Every topic's name by id (for snapshots)."""
    rows = db.session.execute(sa.select(Topic.id, Topic.name))
    return {topic_id: name for topic_id, name in rows}


def conflict_view(
    base: Revision | None, latest: Revision, mine: Snapshot, names: dict[int, str]
) -> ConflictView:
    """What the other editor changed (base → latest) beside what you changed (base → yours),
    per section and level, for the sections either of you touched."""
    base_snapshot = snapshot_of(base, names) if base is not None else None
    theirs = diff(base_snapshot, snapshot_of(latest, names))
    yours = diff(base_snapshot, mine)
    their_base, their_added = _by_base_section(theirs)
    your_base, your_added = _by_base_section(yours)
    pairs = []
    for position in sorted(set(their_base) | set(your_base)):
        t, y = their_base.get(position), your_base.get(position)
        if _changed(t) or _changed(y):
            pairs.append(_pair((y or t).heading, t, y))  # type: ignore[union-attr]
    pairs += [_pair(s.heading, s, None) for s in their_added]
    pairs += [_pair(s.heading, None, s) for s in your_added]
    return ConflictView(
        latest=latest,
        base_label=base.label if base is not None else "an empty article",
        theirs=theirs,
        yours=yours,
        sections=pairs,
    )


def form_snapshot(
    question: str,
    sections: list[SectionInput],
    topics: list[str],
    next_review_on: date | None,
    questions: dict[str, str] | None = None,
) -> Snapshot:
    """The editor's unsaved text as a Snapshot, to compare with saved revisions."""
    return Snapshot(
        question=" ".join(question.split()),
        sections=[
            SnapshotSection(
                s.kind,
                s.heading,
                # A textarea posts CRLF; saved text has LF (revisions.save_revision).
                _lf(s.variants),
                {code: _lf(by) for code, by in (s.translations or {}).items() if _lf(by)},
                {code: h for code, h in (s.heading_translations or {}).items() if h.strip()},
            )
            for s in sections
        ],
        topics=sorted(topics),
        next_review_on=next_review_on,
        label="your text",
        question_translations={k: " ".join(v.split()) for k, v in (questions or {}).items()}
        if questions is not None
        else {},
    )


def _lf(by_level: dict[ReadingLevel, str]) -> dict[ReadingLevel, str]:
    # A textarea posts CRLF; saved text has LF (revisions.save_revision).
    return {lv: b.replace("\r\n", "\n").strip() for lv, b in by_level.items() if b.strip()}
