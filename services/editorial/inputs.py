"""What a save takes: sections as typed, per language and level, and their normal form."""

from __future__ import annotations

from dataclasses import dataclass, field

from models import ReadingLevel, Revision, SectionKind


@dataclass
class SectionInput:
    """A section as a save takes it: English wording by level (`variants`), and wording in other
    languages by code and level (`translations`; None keeps the translations of the section in
    the same place in the revision saved before, for editors that show English only)."""

    kind: SectionKind
    heading: str
    variants: dict[ReadingLevel, str] = field(default_factory=dict)
    translations: dict[str, dict[ReadingLevel, str]] | None = None
    heading_translations: dict[str, str] | None = None
    # (language, level) of translations marked as still following this revision's English.
    confirmed: frozenset[tuple[str, ReadingLevel]] = frozenset()


def _plain_newlines(body: str) -> str:
    # Browsers send a textarea's line breaks as CRLF; stored text uses LF, or every line of an
    # edited section would differ from the one before it.
    return body.replace("\r\n", "\n").replace("\r", "\n").strip()


LEVELS = (ReadingLevel.CLINICAL, ReadingLevel.STANDARD, ReadingLevel.PLAIN)


def normalised(question: str, sections: list[SectionInput]) -> tuple[str, list[SectionInput]]:
    """The question and sections as a save stores them: spaces collapsed, LF line breaks."""
    return " ".join(question.split()), [
        SectionInput(
            s.kind,
            " ".join(s.heading.split()),
            _bodies(s.variants),
            None
            if s.translations is None
            else {lang: b for lang, by in s.translations.items() if (b := _bodies(by))},
            None
            if s.heading_translations is None
            else {
                lang: " ".join(h.split()) for lang, h in s.heading_translations.items() if h.strip()
            },
            s.confirmed,
        )
        for s in sections
    ]


def _bodies(by_level: dict[ReadingLevel, str]) -> dict[ReadingLevel, str]:
    return {
        level: _plain_newlines(body) for level, body in by_level.items() if body and body.strip()
    }


def carry_translations(sections: list[SectionInput], previous: Revision | None) -> None:
    """Sections given without translations keep those of the section in the same place, of the
    same kind, in the revision saved before (an editor that shows English only)."""
    before = {s.position: s for s in previous.sections} if previous is not None else {}
    for position, item in enumerate(sections):
        old = before.get(position)
        same = old is not None and old.kind == item.kind
        if item.translations is None:
            item.translations = {}
            for wording in old.translations if same else []:
                item.translations.setdefault(wording.language, {})[wording.level] = wording.body
        if item.heading_translations is None:
            item.heading_translations = dict(old.heading_translations or {}) if same else {}


def inputs_from(revision: Revision) -> list[SectionInput]:
    """A saved revision's sections as a save takes them, every language included."""
    inputs = []
    for s in sorted(revision.sections, key=lambda s: s.position):
        translations: dict[str, dict[ReadingLevel, str]] = {}
        for wording in s.translations:
            translations.setdefault(wording.language, {})[wording.level] = wording.body
        inputs.append(
            SectionInput(
                s.kind,
                s.heading,
                {v.level: v.body for v in s.variants},
                translations,
                dict(s.heading_translations or {}),
            )
        )
    return inputs
