"""Loads the demo content in demo_content/ through the same services editors use."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time
from pathlib import Path

import sqlalchemy as sa

from extensions import db
from models import (
    SOURCE_LANGUAGE,
    Article,
    GlossaryTerm,
    Language,
    ReadingLevel,
    Reference,
    ReferenceKind,
    Role,
    SectionKind,
    SourceRead,
    Topic,
    TopicTranslation,
    User,
)
from services.editorial import review
from services.editorial.publishing import note_changed
from services.editorial.revisions import SectionInput, save_revision

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_content"
REFERENCE_FIELDS = ("authors", "title", "journal", "year", "volume_pages", "pmid", "doi", "url")


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour))


def _persona(email: str, name: str, credentials: str, role: Role) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        # No password: demo personas appear on demo pages but can never sign in.
        user = User(email=email, name=name, credentials=credentials, role=role, is_demo=True)
        db.session.add(user)
    return user


def _variants(table: dict) -> dict[ReadingLevel, str]:
    return {level: table[level.value] for level in ReadingLevel if level.value in table}


def _translations(table: dict, languages: set[str]) -> dict[str, dict[ReadingLevel, str]]:
    """A section's wording in other languages: its `[sections.es]`-style tables, by code."""
    return {code: _variants(table[code]) for code in sorted(languages) if code in table}


def _sections(data: dict, languages: set[str]) -> list[SectionInput]:
    summary = data["summary"]
    sections = [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            _variants(summary),
            _translations(summary, languages),
        )
    ]
    for s in data["sections"]:
        headings = {code: s[code]["heading"] for code in languages if "heading" in s.get(code, {})}
        sections.append(
            SectionInput(
                SectionKind(s["kind"]),
                s["heading"],
                _variants(s),
                _translations(s, languages),
                headings,
            )
        )
    return sections


def _review(revision, data: dict, editor: User, reviewer: User, status: str) -> None:
    """Move a revision to `status` on the file's dates, not the day it was loaded."""
    updated = data["updated"]
    reviewed = data.get("reviewed", updated)
    if status != "draft":
        review.submit(revision, actor=editor)
        revision.submitted_at = revision.events[-1].created_at = _at(updated, 10)
    if status in ("under_review", "approved"):
        review.start_review(revision, reviewer=reviewer)
        revision.events[-1].created_at = _at(reviewed, 11)
    if status == "approved":
        review.approve(
            revision,
            reviewer=reviewer,
            next_review_on=data["next_review"],
            approved_at=_at(reviewed, 15),
        )


def _revise(
    article: Article, data: dict, sections: list[SectionInput], editor: User, reviewer: User
) -> None:
    """The `[revised]` table: a later approved revision whose ENGLISH wording changes where it
    says (by level, in the short answer and in sections by 0-based index), every translation
    carried unchanged, so it keeps recording the first revision's English as its source."""
    revised = data["revised"]
    changed = {-1: revised.get("summary", {})} | {
        int(index): table for index, table in revised.get("sections", {}).items()
    }
    english = [
        SectionInput(item.kind, item.heading, item.variants | _variants(changed.get(i - 1, {})))
        for i, item in enumerate(sections)
    ]
    revision = save_revision(
        article,
        author=editor,
        question=data["question"],
        sections=english,  # translations None: carried from the first revision, source and all
        change_note=revised["change_note"],
        created_at=_at(revised["updated"]),
    )
    _review(revision, revised, editor, reviewer, "approved")


def _load_article(data: dict, topics: dict[str, Topic], editor: User, reviewer: User) -> Article:
    created, updated = data["created"], data["updated"]
    languages = set(db.session.scalars(sa.select(Language.code))) - {SOURCE_LANGUAGE}
    article = Article(
        slug=data["slug"],
        question=data["question"],
        topics=[topics[slug] for slug in data["topics"]],
        is_demo=True,
        created_at=_at(created),
    )
    db.session.add(article)
    db.session.flush()
    sections = _sections(data, languages)
    revision = save_revision(
        article,
        author=editor,
        question=data["question"],
        question_translations={c: data[c]["question"] for c in languages if c in data},
        sections=sections,
        change_note="Demo content",
        created_at=_at(updated),
    )
    _review(revision, data, editor, reviewer, data["status"])
    if "revised" in data:
        _revise(article, data, sections, editor, reviewer)
    if data.get("draft_in_progress"):
        save_revision(
            article,
            author=editor,
            question=data["question"],
            sections=sections,
            change_note=data["draft_in_progress"],
            created_at=_at(updated, 16),
        )
    return article


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _topic(slug: str, fields: dict) -> Topic:
    """A topic, with its name and description in each language it has a table for (`[slug.es]`)."""
    topic = Topic(slug=slug, name=fields["name"], description=fields.get("description", ""))
    for language, words in fields.items():
        if isinstance(words, dict):
            topic.translations[language] = TopicTranslation(
                language=language, name=words["name"], description=words.get("description", "")
            )
    return topic


def _load_glossary(path: Path) -> None:
    for entry in tomllib.loads(path.read_text())["terms"]:
        db.session.add(
            GlossaryTerm(
                slug=_slug(entry["term"]),
                term=entry["term"],
                abbr=entry.get("abbr", ""),
                aliases=entry.get("aliases", []),
                definition=entry["definition"],
                translations={
                    code: {
                        "term": words["term"],
                        "abbr": words.get("abbr", ""),
                        "aliases": words.get("aliases", []),
                        "definition": words["definition"],
                    }
                    for code, words in entry.items()
                    if isinstance(words, dict)  # [terms.es]: the entry in that language
                },
                is_demo=True,
            )
        )


def load_demo(directory: Path = DEMO_DIR) -> int:
    """Load topics, references and articles; returns the number of articles loaded."""
    topics = {}
    for slug, fields in tomllib.loads((directory / "topics.toml").read_text()).items():
        topics[slug] = _topic(slug, fields)
        db.session.add(topics[slug])
    for key, fields in tomllib.loads((directory / "references.toml").read_text()).items():
        db.session.add(
            Reference(
                key=key,
                kind=ReferenceKind(fields["kind"]),
                read=SourceRead(fields["read"]),
                read_detail=fields.get("read_detail", ""),
                is_demo=True,
                **{f: fields[f] for f in REFERENCE_FIELDS if f in fields},
            )
        )
    _load_glossary(directory / "glossary.toml")
    note_changed(glossary=True)  # the glossary and the library are new to readers
    editor = _persona("demo-editor@vetted.invalid", "Demo Editor", "", Role.EDITOR)
    reviewer = _persona(
        "demo-reviewer@vetted.invalid",
        "Demo Reviewer",
        "MD, Hematology (demo persona)",
        Role.REVIEWER,
    )
    db.session.flush()
    paths = sorted((directory / "articles").glob("*.toml"))
    for path in paths:
        _load_article(tomllib.loads(path.read_text()), topics, editor, reviewer)
    return len(paths)


def has_content() -> bool:
    """True when the database already holds articles (seed-demo then does nothing)."""
    return db.session.scalar(sa.select(sa.func.count(Article.id))) > 0
