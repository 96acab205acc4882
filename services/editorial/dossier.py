"""Everything a reviewer weighs before deciding a revision, gathered in a fixed number of queries.

What changed against what readers see now (word by word, per section and reading level), how each
variant reads against its level's target, the citation problems, the uncited numbers, and the
revision's review record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from extensions import db
from models import (
    Article,
    Language,
    LevelSetting,
    ReadabilityTarget,
    ReadingLevel,
    ReviewEvent,
    ReviewStatus,
    Revision,
    Section,
    Topic,
)
from services.editorial.checks import (
    Findings,
    check_revision,
    level_settings,
    readability_targets,
)
from services.editorial.diffing import LEVELS, RevisionDiff, Snapshot, diff, snapshot
from services.editorial.translations import lags
from services.locking import hold_row
from services.reading.readability import VariantReading


@dataclass
class Dossier:
    revision: Revision
    base: Revision | None  # what `diff` compares the revision with (None: nothing before it)
    base_kind: str | None  # "live", "previous_approval" or "previous_round" (see comparison_base)
    diff: RevisionDiff
    findings: Findings
    readings: list[VariantReading]
    levels: dict[ReadingLevel, LevelSetting]
    sent_back: Revision | None  # the earlier revision of this round that the board sent back
    translation_readings: list[TranslationReading] = field(default_factory=list)


@dataclass(frozen=True)
class TranslationReading:
    """A translation's ease against its language's target, and the English it translates."""

    heading: str
    language: str  # its English name, for staff: "Spanish"
    code: str  # its language code
    position: int  # its section's
    level: ReadingLevel
    ease: float | None
    word_count: int
    target: ReadabilityTarget | None
    source_number: int | None  # the revision whose English it translates
    lags: bool  # this revision's English changed since

    @property
    def misses(self) -> bool:
        return self.target is not None and self.target.misses(self.ease)


def translation_readings(revision: Revision) -> list[TranslationReading]:
    """Every translation's readability and source, in page order, by language, clinical → plain
    (two small queries, none without translations)."""
    translated = [(s, w) for s in revision.sections for w in s.translations]
    if not translated:
        return []
    names = dict(db.session.execute(sa.select(Language.code, Language.english_name)).all())
    targets = readability_targets()
    order = {level: i for i, level in enumerate(LEVELS)}
    translated.sort(key=lambda sw: (sw[0].position, sw[1].language, order[sw[1].level]))
    return [
        TranslationReading(
            section.heading,
            names.get(wording.language, wording.language),
            wording.language,
            section.position,
            wording.level,
            wording.reading_ease,
            wording.word_count,
            targets.get((wording.language, wording.level)),
            wording.source_revision.number if wording.source_revision else None,
            lags(section, wording),
        )
        for section, wording in translated
    ]


def _with_content() -> list:
    sections = selectinload(Revision.sections)
    return [sections.selectinload(Section.variants), sections.selectinload(Section.translations)]


def load_revision(revision_id: int, *, for_update: bool = False) -> Revision | None:
    """A revision with its article, people and record.

    `for_update` (a decision's POST) first takes the revision's row lock for the transaction
    (services/locking.py), so two reviewers acting at once take turns and the second sees the
    first one's result.
    """
    if for_update:
        hold_row(Revision.status, revision_id)
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.id == revision_id)
        .options(
            selectinload(Revision.article).selectinload(Article.live_revision),
            selectinload(Revision.author),
            selectinload(Revision.reviewer),
            selectinload(Revision.events).selectinload(ReviewEvent.actor),
            *_with_content(),
        )
        .execution_options(populate_existing=True)
    )


def comparison_base(revision: Revision) -> tuple[Revision | None, str | None]:
    """What a revision is compared with, and why.

    An approved revision: the approval before it ("previous_approval"). A revision waiting or
    decided while the article has a live one: the live revision readers see ("live"). Otherwise
    (the article was never approved): the latest earlier revision sent to the board, which
    readers saw under the caution banner ("previous_round"); none for the first one.
    """
    article = revision.article
    if revision.status == ReviewStatus.APPROVED:
        earlier = db.session.scalar(
            sa.select(Revision)
            .where(
                Revision.article_id == article.id,
                Revision.status == ReviewStatus.APPROVED,
                Revision.number < revision.number,
            )
            .order_by(Revision.number.desc())
            .limit(1)
            .options(*_with_content())
        )
        if earlier is not None:
            return earlier, "previous_approval"
    elif article.live_revision_id is not None and article.live_revision_id != revision.id:
        live = db.session.scalar(
            sa.select(Revision)
            .where(Revision.id == article.live_revision_id)
            .options(*_with_content())
        )
        return live, "live"
    earlier = previous_round(revision)
    return earlier, "previous_round" if earlier is not None else None


def previous_round(revision: Revision) -> Revision | None:
    """The latest revision before this one that went to the board (with its content)."""
    return db.session.scalar(
        sa.select(Revision)
        .where(
            Revision.article_id == revision.article_id,
            Revision.number < revision.number,
            Revision.status != ReviewStatus.DRAFT,
        )
        .order_by(Revision.number.desc())
        .limit(1)
        .options(*_with_content())
    )


def _sent_back_before(revision: Revision) -> Revision | None:
    """The revision this one was written from, when the board had sent that one back."""
    if revision.based_on_id is None:
        return None
    return db.session.scalar(
        sa.select(Revision).where(
            Revision.id == revision.based_on_id,
            Revision.status == ReviewStatus.CHANGES_REQUESTED,
        )
    )


def topic_names(*revisions: Revision | None) -> dict[int, str]:
    """Names of the topics these revisions list (one query)."""
    ids = {i for r in revisions if r is not None for i in (r.topic_ids or [])}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Topic.id, Topic.name).where(Topic.id.in_(ids))).all())


def snapshot_of(revision: Revision, names: dict[int, str]) -> Snapshot:
    """A revision as a diff snapshot; one saved without topics (demo, imports) kept the
    article's, so those stand in rather than showing every topic as added."""
    shot = snapshot(revision, names)
    if revision.topic_ids is None:
        shot.topics = sorted(t.name for t in revision.article.topics)
    return shot


def readings(revision: Revision, levels: dict[ReadingLevel, LevelSetting]) -> list[VariantReading]:
    """Every variant's grades against its target, in page order and clinical → plain."""
    order = {level: i for i, level in enumerate(LEVELS)}
    rows = []
    for section in revision.sections:
        for variant in sorted(section.variants, key=lambda v: order[v.level]):
            setting = levels.get(variant.level)
            rows.append(
                VariantReading(
                    section.heading,
                    variant.level,
                    variant.fk_grade,
                    variant.smog_grade,
                    variant.word_count,
                    setting.target_grade if setting else None,
                )
            )
    return rows


def build_dossier(revision: Revision) -> Dossier:
    """The review page's content for a revision loaded by `load_revision`."""
    base, base_kind = comparison_base(revision)
    names = topic_names(revision, base)
    levels = level_settings()
    sent_back = _sent_back_before(revision)
    return Dossier(
        revision=revision,
        base=base,
        base_kind=base_kind,
        diff=diff(snapshot_of(base, names) if base else None, snapshot_of(revision, names)),
        findings=check_revision(revision, levels=levels),
        readings=readings(revision, levels),
        levels=levels,
        translation_readings=translation_readings(revision),
        # Worth its own comparison only when the diff above is against something else.
        sent_back=sent_back if sent_back is not None and sent_back != base else None,
    )
