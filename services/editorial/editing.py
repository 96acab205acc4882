"""The editor's rules that are not HTTP: form rows to `SectionInput`s, rearranging sections,
unsaved revisions for the live preview, and the two sides of a conflict.

An unsaved revision is built from transient objects that never join the database session, so
a preview can never be flushed by accident; `preview_draft` also turns autoflush off while it
reads, in case anything else is pending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from extensions import db
from models import (
    Article,
    GlossaryTerm,
    LevelSetting,
    ReadingLevel,
    Reference,
    ReviewEvent,
    ReviewStatus,
    Revision,
    SectionKind,
    Topic,
)
from models.base import utcnow
from services.editorial.checks import Findings, check_revision, known_reference_keys
from services.editorial.diffing import (
    LevelDiff,
    RevisionDiff,
    SectionDiff,
    Snapshot,
    SnapshotSection,
    diff,
)
from services.editorial.dossier import snapshot_of
from services.editorial.publishing import SectionInput, build_sections
from services.paging import Paged
from services.reading.markdown import citation_keys
from services.reading.readability import VariantReading, measure
from services.reading.view import ArticleView, build_view

# Editor columns, most technical first: editors usually write the clinical text, then simplify.
LEVEL_ORDER = [ReadingLevel.CLINICAL, ReadingLevel.STANDARD, ReadingLevel.PLAIN]
# What a new article starts with: the seed page's short answer and its three kinds of source.
STARTER_KINDS = [
    SectionKind.SUMMARY,
    SectionKind.GUIDELINES,
    SectionKind.DRUG_LABEL,
    SectionKind.RESEARCH,
]
CITE_RESULTS = 12
PER_PAGE = 25

# Readability is a pure function of the text; while someone types, every variant but one is
# the same as in the previous preview request.
measured = lru_cache(maxsize=256)(measure)


# -- Form rows -----------------------------------------------------------------------------
# A row is one section as the editor form holds it: {"kind", "heading", "clinical", ...}.


def blank_row(kind: SectionKind = SectionKind.OTHER) -> dict:
    """An empty section of `kind`, headed by its kind's label ("Other": the editor names it)."""
    heading = "" if kind == SectionKind.OTHER else kind.label
    return {"kind": kind.value, "heading": heading, **{lv.value: "" for lv in LEVEL_ORDER}}


def starter_rows() -> list[dict]:
    """The sections a new article starts with."""
    return [blank_row(kind) for kind in STARTER_KINDS]


def rows_from_revision(revision: Revision) -> list[dict]:
    """A saved revision's sections as editor rows, in order."""
    rows = []
    for section in revision.sections:
        bodies = {v.level: v.body for v in section.variants}
        rows.append(
            {
                "kind": section.kind.value,
                "heading": section.heading,
                **{lv.value: bodies.get(lv, "") for lv in LEVEL_ORDER},
            }
        )
    return rows


def _kind(value: object) -> SectionKind:
    try:
        return SectionKind(value)
    except ValueError:
        return SectionKind.OTHER


def section_inputs(rows: Iterable[Mapping]) -> list[SectionInput]:
    """Editor rows as the publishing service takes them; empty levels are left out (they fall
    back to another level on the public page)."""
    inputs = []
    for row in rows:
        bodies = {lv: (row.get(lv.value) or "") for lv in LEVEL_ORDER}
        inputs.append(
            SectionInput(
                kind=_kind(row.get("kind")),
                heading=" ".join((row.get("heading") or "").split()),
                variants={lv: body for lv, body in bodies.items() if body.strip()},
            )
        )
    return inputs


def rearrange(rows: list[dict], action: str) -> list[dict]:
    """Apply an editor button to the rows: `add`, `add:KIND`, `remove:N`, `move-up:N`,
    `move-down:N` (N counts from 0). Anything else leaves them as they are."""
    name, _, argument = action.partition(":")
    rows = list(rows)
    if name == "add":
        return [*rows, blank_row(_kind(argument) if argument else SectionKind.OTHER)]
    try:
        index = int(argument)
    except ValueError:
        return rows
    if not 0 <= index < len(rows):
        return rows
    if name == "remove":
        del rows[index]
    elif name == "move-up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif name == "move-down" and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return rows


# -- Unsaved revisions and the live preview ------------------------------------------------


def draft_revision(
    *,
    question: str,
    sections: list[SectionInput],
    topic_ids: list[int] | None = None,
    next_review_on: date | None = None,
    number: int = 0,
) -> Revision:
    """A revision built from form input and never added to the session: what Save would write.

    It has no article relationship on purpose: linking it to a persistent article would cascade
    it into the session (and the next query would flush it).
    """
    revision = Revision(
        number=number,
        question=" ".join(question.split()),
        topic_ids=sorted(topic_ids) if topic_ids is not None else None,
        next_review_on=next_review_on,
        change_note="",
        status=ReviewStatus.DRAFT,
        created_at=utcnow(),
        review_comment="",
    )
    revision.sections.extend(build_sections(sections, measure_text=measured))
    return revision


@dataclass
class ReadingRow:
    """One section's readings, by level (None: not written at that level)."""

    heading: str
    cells: dict[ReadingLevel, VariantReading | None]


@dataclass
class DraftPreview:
    view: ArticleView
    findings: Findings
    readings: list[ReadingRow]
    level: ReadingLevel

    @property
    def has_text(self) -> bool:
        return any(cell is not None for row in self.readings for cell in row.cells.values())


def readings(revision: Revision, levels: Mapping[ReadingLevel, LevelSetting]) -> list[ReadingRow]:
    """Every variant's grades against its level's target, a row per section."""
    rows = []
    for section in revision.sections:
        by_level = {v.level: v for v in section.variants}
        cells: dict[ReadingLevel, VariantReading | None] = {}
        for level in LEVEL_ORDER:
            variant = by_level.get(level)
            setting = levels.get(level)
            cells[level] = (
                VariantReading(
                    heading=section.heading,
                    level=level,
                    fk_grade=variant.fk_grade,
                    smog_grade=variant.smog_grade,
                    word_count=variant.word_count,
                    target=setting.target_grade if setting else None,
                )
                if variant is not None
                else None
            )
        rows.append(ReadingRow(section.heading, cells))
    return rows


def preview_draft(
    article: Article,
    revision: Revision,
    level: ReadingLevel,
    *,
    levels: Mapping[ReadingLevel, LevelSetting],
    glossary_url: Callable[[GlossaryTerm], str] | None,
) -> DraftPreview:
    """Render an unsaved revision exactly as readers would see it, with every check on it.

    Writes nothing: the revision is transient and autoflush is off while the page reads the
    reference library and the glossary.
    """
    with db.session.no_autoflush:
        keys = {k for s in revision.sections for v in s.variants for k in citation_keys(v.body)}
        known = known_reference_keys(keys)
        view = build_view(
            article, level, card_url=None, glossary_url=glossary_url, revision=revision
        )
        findings = check_revision(revision, levels=dict(levels), known_keys=known)
    assert view is not None  # a revision was given, so there is always a view
    return DraftPreview(view, findings, readings(revision, levels), level)


# -- Conflicts -------------------------------------------------------------------------------


@dataclass
class LevelPair:
    level: ReadingLevel
    theirs: LevelDiff | None
    yours: LevelDiff | None


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
    their_levels = {lv.level: lv for lv in theirs.changed_levels} if theirs else {}
    your_levels = {lv.level: lv for lv in yours.changed_levels} if yours else {}
    levels = [
        LevelPair(level, their_levels.get(level), your_levels.get(level))
        for level in LEVEL_ORDER
        if level in their_levels or level in your_levels
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
) -> Snapshot:
    """The editor's unsaved text as a Snapshot, to compare with saved revisions."""
    return Snapshot(
        question=" ".join(question.split()),
        sections=[
            SnapshotSection(
                s.kind,
                s.heading,
                # A textarea posts CRLF; saved text has LF (publishing.save_revision).
                {lv: b.replace("\r\n", "\n").strip() for lv, b in s.variants.items()},
            )
            for s in sections
        ],
        topics=sorted(topics),
        next_review_on=next_review_on,
        label="your text",
    )


# -- Citation helper -------------------------------------------------------------------------


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_references(query: str, limit: int = CITE_RESULTS) -> list[Reference]:
    """References whose key, authors, title, journal, DOI or PMID hold every word of `query`."""
    words = query.split()[:8]
    if not words:
        return []
    columns = (
        Reference.key,
        Reference.authors,
        Reference.title,
        Reference.journal,
        Reference.doi,
        Reference.pmid,
    )
    conditions = [
        sa.or_(*(column.ilike(_like(word), escape="\\") for column in columns)) for word in words
    ]
    return list(
        db.session.scalars(
            sa.select(Reference)
            .where(*conditions)
            .order_by(Reference.year.desc().nulls_last(), Reference.key)
            .limit(limit)
        )
    )


# -- Staff lists -----------------------------------------------------------------------------


@dataclass
class ArticlePage(Paged):
    """One page of the staff article list."""

    articles: list[Article]
    total: int
    page: int
    per_page: int

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_shown(self) -> int:
        return min(self.page * self.per_page, self.total)


def staff_articles(
    *,
    status: ReviewStatus | None = None,
    topic: Topic | None = None,
    text: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> ArticlePage:
    """Articles for staff, newest work first: filtered by the status of their latest revision,
    a topic and words in the question. A fixed number of queries whatever the page holds.

    Read from the latest revisions, newest first, joined to their articles by the pointer: the
    indexes on revisions (created_at, id) and (status, created_at, id) give the page in order,
    so a page costs the same at 100 articles as at 100,000 (every article has a latest revision:
    it is made with its first one)."""
    latest = aliased(Revision)
    stmt = (
        sa.select(Article)
        .select_from(latest)
        .join(Article, Article.latest_revision_id == latest.id)
    )
    if status is not None:
        stmt = stmt.where(latest.status == status)
    if topic is not None:
        stmt = stmt.where(Article.topics.any(Topic.id == topic.id))
    for word in text.split()[:8]:
        pattern = _like(word)
        stmt = stmt.where(
            sa.or_(
                Article.question.ilike(pattern, escape="\\"),
                latest.question.ilike(pattern, escape="\\"),
            )
        )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    found = db.session.scalars(
        stmt.order_by(latest.created_at.desc(), latest.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(
            selectinload(Article.latest_revision).selectinload(Revision.author),
            selectinload(Article.live_revision).selectinload(Revision.reviewer),
            selectinload(Article.locked_by),
        )
    )
    return ArticlePage(list(found), total, page, per_page)


def recent_revisions(article: Article, limit: int = 5) -> list[Revision]:
    """An article's newest revisions with their authors."""
    return list(
        db.session.scalars(
            sa.select(Revision)
            .where(Revision.article_id == article.id)
            .order_by(Revision.number.desc())
            .limit(limit)
            .options(selectinload(Revision.author))
        )
    )


def revision_history(article: Article) -> list[Revision]:
    """Every revision of an article, newest first, with authors, reviewers and review events."""
    return list(
        db.session.scalars(
            sa.select(Revision)
            .where(Revision.article_id == article.id)
            .order_by(Revision.number.desc())
            .options(
                selectinload(Revision.author),
                selectinload(Revision.reviewer),
                selectinload(Revision.events).selectinload(ReviewEvent.actor),
            )
        )
    )
