"""Readable differences between two revisions: per section and reading level, word by word.

Used by the review page (against the live revision), staff history ("compare any two"), the
editor's conflict view (theirs beside yours) and the public review history. difflib (standard
library) does the matching; this module only decides what is compared with what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import SequenceMatcher
from typing import Literal

from models import SOURCE_LANGUAGE, ReadingLevel, Revision, SectionKind

Op = Literal["equal", "insert", "delete"]
TOKEN = re.compile(r"\s+|[\w@'’-]+|[^\w\s]")
LEVELS = [ReadingLevel.CLINICAL, ReadingLevel.STANDARD, ReadingLevel.PLAIN]


@dataclass(frozen=True)
class Chunk:
    op: Op
    text: str


@dataclass
class SnapshotSection:
    kind: SectionKind
    heading: str
    variants: dict[ReadingLevel, str]
    # Wording in other languages: {code: {level: text}}, and headings {code: heading}.
    translations: dict[str, dict[ReadingLevel, str]] = field(default_factory=dict)
    heading_translations: dict[str, str] = field(default_factory=dict)


@dataclass
class Snapshot:
    """What two revisions are compared on; built from a saved revision or from form input."""

    question: str
    sections: list[SnapshotSection]
    topics: list[str] = field(default_factory=list)
    next_review_on: date | None = None
    label: str = ""
    question_translations: dict[str, str] = field(default_factory=dict)


@dataclass
class LevelDiff:
    level: ReadingLevel
    status: Literal["added", "removed", "changed", "unchanged"]
    chunks: list[Chunk]
    language: str = SOURCE_LANGUAGE  # English levels first, then each translation's


@dataclass
class TextDiff:
    """A short text in another language (a question, a heading) that changed."""

    language: str
    chunks: list[Chunk]


@dataclass
class SectionDiff:
    kind: SectionKind
    old_heading: str | None
    new_heading: str | None
    status: Literal["added", "removed", "changed", "unchanged"]
    heading_chunks: list[Chunk]
    levels: list[LevelDiff]
    heading_translations: list[TextDiff] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return self.new_heading if self.new_heading is not None else self.old_heading or ""

    @property
    def changed_levels(self) -> list[LevelDiff]:
        return [lv for lv in self.levels if lv.status != "unchanged"]


@dataclass
class RevisionDiff:
    old_label: str
    new_label: str
    question: list[Chunk]
    question_changed: bool
    sections: list[SectionDiff]
    topics_added: list[str]
    topics_removed: list[str]
    next_review: tuple[date | None, date | None] | None
    question_translations: list[TextDiff] = field(default_factory=list)

    @property
    def changed_sections(self) -> list[SectionDiff]:
        return [s for s in self.sections if s.status != "unchanged"]

    @property
    def has_changes(self) -> bool:
        return bool(
            self.question_changed
            or self.question_translations
            or self.changed_sections
            or self.topics_added
            or self.topics_removed
            or self.next_review
        )


def word_diff(old: str, new: str) -> list[Chunk]:
    """Word-level differences, white space kept, adjacent chunks of one kind merged.

    Line endings are compared as LF: text typed in a form (CRLF) matches the same saved text.
    """
    a = TOKEN.findall(old.replace("\r\n", "\n"))
    b = TOKEN.findall(new.replace("\r\n", "\n"))
    chunks: list[Chunk] = []

    def add(op: Op, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if chunks and chunks[-1].op == op:
            chunks[-1] = Chunk(op, chunks[-1].text + text)
        else:
            chunks.append(Chunk(op, text))

    # An edit usually touches a few words of a long text: the common ends are matched directly,
    # and difflib (whose cost grows with length times the commonest token's count) gets only
    # what lies between, with white space as junk so it anchors on words.
    shortest = min(len(a), len(b))
    start = 0
    while start < shortest and a[start] == b[start]:
        start += 1
    end = 0
    while end < shortest - start and a[-1 - end] == b[-1 - end]:
        end += 1
    add("equal", a[:start])
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    matcher = SequenceMatcher(str.isspace, middle_a, middle_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", middle_a[i1:i2])
        else:
            add("delete", middle_a[i1:i2])
            add("insert", middle_b[j1:j2])
    add("equal", a[len(a) - end :])
    return chunks


def snapshot(revision: Revision, topic_names: dict[int, str] | None = None) -> Snapshot:
    """A saved revision as a Snapshot (`topic_names`: id → name, for its topics)."""
    names = topic_names or {}
    return Snapshot(
        question=revision.question,
        sections=[
            SnapshotSection(
                s.kind,
                s.heading,
                {v.level: v.body for v in s.variants},
                _translations(s),
                dict(s.heading_translations or {}),
            )
            for s in revision.sections
        ],
        topics=sorted(names.get(i, f"topic {i}") for i in (revision.topic_ids or [])),
        next_review_on=revision.next_review_on,
        label=revision.label,
        question_translations=dict(revision.question_translations or {}),
    )


def source_only(shot: Snapshot) -> Snapshot:
    """The snapshot without its other languages (readers' history is English for now)."""
    return replace(
        shot,
        question_translations={},
        sections=[replace(s, translations={}, heading_translations={}) for s in shot.sections],
    )


def _translations(section) -> dict[str, dict[ReadingLevel, str]]:
    found: dict[str, dict[ReadingLevel, str]] = {}
    for wording in section.translations:
        found.setdefault(wording.language, {})[wording.level] = wording.body
    return found


def _text_diffs(old: dict[str, str], new: dict[str, str]) -> list[TextDiff]:
    """Short texts per language (questions, headings) that differ, by language code."""
    return [
        TextDiff(code, word_diff(old.get(code, ""), new.get(code, "")))
        for code in sorted(set(old) | set(new))
        if old.get(code, "") != new.get(code, "")
    ]


def _wording_diffs(old: SnapshotSection | None, new: SnapshotSection | None) -> list[LevelDiff]:
    """English levels, then each other language's, clinical → plain."""
    diffs = _level_diffs(old.variants if old else {}, new.variants if new else {})
    before = old.translations if old else {}
    after = new.translations if new else {}
    for code in sorted(set(before) | set(after)):
        diffs += _level_diffs(before.get(code, {}), after.get(code, {}), code)
    return diffs


def _level_diffs(
    old: dict[ReadingLevel, str], new: dict[ReadingLevel, str], language: str = SOURCE_LANGUAGE
) -> list[LevelDiff]:
    diffs = []
    for level in LEVELS:
        before, after = old.get(level, ""), new.get(level, "")
        if not before and not after:
            continue
        status = (
            "added"
            if not before
            else "removed"
            if not after
            else "unchanged"
            if before == after
            else "changed"
        )
        diffs.append(LevelDiff(level, status, word_diff(before, after), language))
    return diffs


def _pair(old: SnapshotSection | None, new: SnapshotSection | None) -> SectionDiff:
    base = old or new
    assert base is not None
    levels = _wording_diffs(old, new)
    headings = _text_diffs(
        old.heading_translations if old else {}, new.heading_translations if new else {}
    )
    if old is None:
        status = "added"
    elif new is None:
        status = "removed"
    elif old.heading != new.heading or headings or any(lv.status != "unchanged" for lv in levels):
        status = "changed"
    else:
        status = "unchanged"
    return SectionDiff(
        kind=(new or old).kind,  # type: ignore[union-attr]
        old_heading=old.heading if old else None,
        new_heading=new.heading if new else None,
        status=status,
        heading_chunks=word_diff(old.heading if old else "", new.heading if new else ""),
        levels=levels,
        heading_translations=headings if old is not None and new is not None else [],
    )


def _align(old: list[SnapshotSection], new: list[SnapshotSection]) -> list[SectionDiff]:
    """Match sections by kind and heading, in order; a renamed section of the same kind in the
    same place is the same section, changed."""
    keys_old = [(s.kind, s.heading.casefold()) for s in old]
    keys_new = [(s.kind, s.heading.casefold()) for s in new]
    pairs: list[SectionDiff] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, keys_old, keys_new).get_opcodes():
        if tag == "equal":
            pairs += [_pair(o, n) for o, n in zip(old[i1:i2], new[j1:j2], strict=True)]
            continue
        olds, news = list(old[i1:i2]), list(new[j1:j2])
        while olds or news:
            o = olds[0] if olds else None
            n = news[0] if news else None
            if o is not None and n is not None and o.kind == n.kind:
                pairs.append(_pair(olds.pop(0), news.pop(0)))
            elif o is not None and (n is None or not any(x.kind == o.kind for x in news)):
                pairs.append(_pair(olds.pop(0), None))
            else:
                pairs.append(_pair(None, news.pop(0)))
    return pairs


def diff(old: Snapshot | None, new: Snapshot) -> RevisionDiff:
    """What changed from `old` (None: nothing before, everything is added) to `new`."""
    old = old or Snapshot(question="", sections=[], label="nothing")
    next_review = (
        (old.next_review_on, new.next_review_on)
        if old.next_review_on != new.next_review_on and new.next_review_on is not None
        else None
    )
    return RevisionDiff(
        old_label=old.label,
        new_label=new.label,
        question=word_diff(old.question, new.question),
        question_changed=old.question != new.question,
        sections=_align(old.sections, new.sections),
        topics_added=[t for t in new.topics if t not in old.topics],
        topics_removed=[t for t in old.topics if t not in new.topics],
        next_review=next_review,
        question_translations=_text_diffs(old.question_translations, new.question_translations),
    )
