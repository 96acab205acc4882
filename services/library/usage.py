"""Who uses a library entry: the public articles whose public text cites a reference or uses a
glossary term, at this moment. What decides whether an edit needs review, which articles an
approved change altered, and which articles' pages the proxy drops when an entry changes."""

from __future__ import annotations

import sqlalchemy as sa

from extensions import db
from models import (
    Article,
    FollowupAnswer,
    FollowupQuestion,
    FollowupStatus,
    Section,
    SectionVariant,
    revision_references,
)
from services.reading.markdown import Glossary, citation_keys
from services.validation import like_contains


def _citing(key: str) -> sa.Select:
    """Public articles whose public revision cites `key`."""
    return (
        sa.select(Article)
        .join(revision_references, revision_references.c.revision_id == Article.public_revision_id)
        .where(revision_references.c.reference_key == key)
    )


def articles_citing(key: str) -> list[Article]:
    """Public articles whose public revision cites `key`."""
    return list(db.session.scalars(_citing(key).order_by(Article.question, Article.id)))


def slugs_citing(key: str) -> list[str]:
    """The slugs of `articles_citing(key)`, without loading the articles."""
    return list(db.session.scalars(_citing(key).with_only_columns(Article.slug)))


def slugs_answered_citing(key: str) -> list[str]:
    """Articles under which a published answer to a reader's question cites `key`."""
    answers = db.session.execute(
        sa.select(Article.slug, FollowupAnswer.body)
        .join(FollowupQuestion, FollowupQuestion.article_id == Article.id)
        .join(FollowupAnswer, FollowupAnswer.question_id == FollowupQuestion.id)
        .where(
            FollowupQuestion.status == FollowupStatus.ANSWERED,
            FollowupAnswer.body.like(like_contains(f"@{key}"), escape="\\"),
        )
    )
    return [slug for slug, body in answers if key in citation_keys(body)]


def _wordings(values: dict) -> list[dict]:
    """The term in each language it has (values as `changes.term_values` gives them: another
    language's fields are `CODE_term`, `CODE_abbr`, `CODE_aliases`)."""
    found = [values]
    for name in values:
        code, _, field = name.rpartition("_")
        if field == "term" and code:
            found.append(
                {
                    "term": values[name],
                    "abbr": values.get(f"{code}_abbr", ""),
                    "aliases": values.get(f"{code}_aliases", []),
                }
            )
    return found


def _forms(values: dict) -> list[str]:
    return [
        f
        for words in _wordings(values)
        for f in (words["term"], words["abbr"], *words["aliases"])
        if f
    ]


def _ids_using(*term_values_: dict) -> set[int]:
    """Public articles whose public text (in any language: wordings of every language are
    section variants) uses any form of these terms as a whole word, as the renderer matches
    them (a LIKE prefilter, then the renderer's own pattern)."""
    terms = [_FormsOnly(words) for v in term_values_ for words in _wordings(v)]
    forms = {f for v in term_values_ for f in _forms(v)}
    if not forms:
        return set()
    pattern = Glossary.build(terms, url=str).pattern
    body = sa.func.lower(SectionVariant.body)
    rows = db.session.execute(
        sa.select(Article.id, SectionVariant.body)
        .join(Section, Section.revision_id == Article.public_revision_id)
        .join(SectionVariant, SectionVariant.section_id == Section.id)
        .where(sa.or_(*(body.like(like_contains(f.lower()), escape="\\") for f in forms)))
    )
    return {article_id for article_id, text in rows if pattern and pattern.search(text)}


def articles_using(*term_values_: dict) -> list[Article]:
    """Public articles whose public text uses any form of these terms (`_ids_using`)."""
    if not (ids := _ids_using(*term_values_)):
        return []
    return list(
        db.session.scalars(
            sa.select(Article).where(Article.id.in_(ids)).order_by(Article.question, Article.id)
        )
    )


def slugs_using(*term_values_: dict) -> list[str]:
    """The slugs of `articles_using`, without loading the articles."""
    if not (ids := _ids_using(*term_values_)):
        return []
    return list(db.session.scalars(sa.select(Article.slug).where(Article.id.in_(ids))))


class _FormsOnly:
    """What Glossary.build reads of a term."""

    def __init__(self, values: dict):
        self.term, self.abbr, self.aliases = values["term"], values["abbr"], values["aliases"]


def key_in_public_use(key: str) -> bool:
    """Public text cites `key`: an article's public revision or a published answer."""
    return bool(articles_citing(key)) or bool(slugs_answered_citing(key))


def term_in_public_use(*term_values_: dict) -> bool:
    """Public text uses a form of any of these terms (values as `changes.term_values` gives
    them): one scan for a term as it is and as an edit would make it."""
    return bool(_ids_using(*term_values_))
