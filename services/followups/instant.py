"""The instant answer: what Vetted's reviewed articles already say about a reader's question.

Approved text only. The panel says "What our reviewed articles say", and a quoted passage is read
apart from its article's caution banner, so it quotes each article's live (approved) revision and
nothing else: never a revision waiting for review or sent back, never a draft. An article never
approved is not quoted at all; when the question was asked on one, the panel says so.

Extractive only. A passage is one block of a section as its authors wrote it (a paragraph, a
top-level list item with its sub-items, a table, a quotation), cut from the Markdown source and
rendered by the same renderer as the article page, so every sentence shown, and every citation
with it, is verbatim public content. Nothing is generated, summarised or paraphrased.

Passages are scored with BM25 over the passages of the candidate articles (services/followups/
passages.py), and shown only when they cover at least half the weight of the question's words:
when nothing matches well, the panel says so rather than show weak passages.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup

from extensions import db
from models import (
    Article,
    ReadingLevel,
    Reference,
    Section,
    SectionKind,
    SectionVariant,
)
from services import search
from services.editorial.publishing import publicly_visible
from services.followups.passages import (
    NOT_QUOTED,
    SOFT,
    SourcePassage,
    heading_terms,
    score,
    split_passages,
    terms,
)
from services.reading.markdown import CitationRegistry, citation_keys, render
from services.reading.personalization import FALLBACK
from services.reading.view import CitedReference

CANDIDATES = 20  # articles searched for passages, besides the one the question is about
MAX_PASSAGES = 5
MAX_PER_ARTICLE = 3
MAX_RELATED = 4
MIN_COVERAGE = 0.5  # share of the question's word weight a passage must match to be shown
MIN_RELATIVE = 0.35  # ...and its score against the best passage's
MIN_MATCHED_SHARE = 0.4
RELATED_COVERAGE = 0.34
MAX_QUERY_WORDS = 12

# -- Candidates: the seam to full-text search ---------------------------------------------------


def _candidates(query: str, limit: int) -> list[int]:
    """Ids of public articles that may answer `query`, best first: the one seam between the
    instant answer and full-text search (which matches any of the question's words)."""
    return search.candidate_article_ids(query, limit=limit)


@dataclass
class _Scored:
    article: Article
    section: SectionText
    variant: VariantText
    source: SourcePassage
    context: Counter  # the headings' terms (shared between passages: never changed)
    size: int
    score: float = 0.0
    coverage: float = 0.0
    matched: int = 0  # distinct query terms found


# -- The answer -------------------------------------------------------------------------------


@dataclass
class EvidencePassage:
    """A passage as the panel shows it: verbatim, its citations numbered for the panel."""

    article: Article
    section: SectionText
    variant: VariantText
    requested: ReadingLevel
    subheading: str
    markdown: str
    html: Markup
    references: list[CitedReference]
    anchor_prefix: str
    score: float

    @property
    def is_fallback(self) -> bool:
        """The reader's level had no wording here: a more technical one stands in."""
        return self.variant.level != self.requested

    @property
    def anchor(self) -> str:
        """Where the passage sits on its article's page."""
        return "answer-title" if self.section.kind == SectionKind.SUMMARY else self.section.anchor

    @property
    def is_collapsible(self) -> bool:
        return self.section.kind != SectionKind.SUMMARY


@dataclass
class Evidence:
    question: str
    level: ReadingLevel
    passages: list[EvidencePassage] = field(default_factory=list)
    related: list[Article] = field(default_factory=list)
    # The question's own article when none of its text is approved yet, so none of it is quoted.
    unreviewed: Article | None = None

    @property
    def found(self) -> bool:
        return bool(self.passages)


@dataclass(frozen=True)
class SectionText:
    """A section of a live (approved) revision, as much of it as a passage needs."""

    id: int
    kind: SectionKind
    heading: str
    position: int

    @property
    def anchor(self) -> str:
        return f"section-{self.position}"


@dataclass(frozen=True)
class VariantText:
    id: int
    level: ReadingLevel
    body: str


def _load(article_ids: list[int]) -> list[Article]:
    """Public articles that have approved text: one query."""
    if not article_ids:
        return []
    found = db.session.scalars(
        sa.select(Article).where(
            Article.id.in_(article_ids), publicly_visible(), Article.live_revision_id.is_not(None)
        )
    ).all()
    order = {article_id: rank for rank, article_id in enumerate(article_ids)}
    return sorted(found, key=lambda a: order[a.id])


def _texts(articles: list[Article]) -> dict[int, list[tuple[SectionText, list[VariantText]]]]:
    """Every section of the articles' live revisions with its wordings, by revision: one plain
    query, since building thousands of ORM objects would cost more than the scoring."""
    revision_ids = [a.live_revision_id for a in articles if a.live_revision_id]
    rows = db.session.execute(
        sa.select(
            Section.revision_id,
            Section.id,
            Section.kind,
            Section.heading,
            Section.position,
            SectionVariant.id,
            SectionVariant.level,
            SectionVariant.body,
        )
        .join(SectionVariant, SectionVariant.section_id == Section.id)
        .where(Section.revision_id.in_(revision_ids), Section.kind.not_in(NOT_QUOTED))
        .order_by(Section.revision_id, Section.position)
    )
    sections: dict[int, dict[int, tuple[SectionText, list[VariantText]]]] = {}
    for revision_id, section_id, kind, heading, position, variant_id, level, body in rows:
        by_id = sections.setdefault(revision_id, {})
        if section_id not in by_id:
            by_id[section_id] = (SectionText(section_id, kind, heading, position), [])
        by_id[section_id][1].append(VariantText(variant_id, level, body))
    return {revision_id: list(by_id.values()) for revision_id, by_id in sections.items()}


def _choose_variant(variants: list[VariantText], level: ReadingLevel) -> VariantText | None:
    """The article page's fallback: the reader's level, else the nearest more technical one."""
    by_level = {v.level: v for v in variants}
    return next((by_level[lv] for lv in FALLBACK[level] if lv in by_level), None)


def _passages(articles: list[Article], level: ReadingLevel) -> list[_Scored]:
    texts = _texts(articles)
    docs = []
    for article in articles:
        for section, variants in texts.get(article.live_revision_id, []):
            variant = _choose_variant(variants, level)
            if variant is None:
                continue
            for source in split_passages(variant.body):
                context, size = heading_terms(section.heading, source.subheading)
                docs.append(_Scored(article, section, variant, source, context, source.size + size))
    return docs


def _choose(docs: list[_Scored], article: Article | None, n_terms: int) -> list[_Scored]:
    """The passages that match well, this article's first, at most a few per article."""
    # Distinct words matched, of the question's words that are not verdicts: two at least (or
    # the only one), and two in five.
    need = max(min(2, n_terms), math.ceil(MIN_MATCHED_SHARE * n_terms))
    good = [d for d in docs if d.coverage >= MIN_COVERAGE and d.matched >= need]
    if not good:
        return []
    best = max(d.score for d in good)
    good = sorted((d for d in good if d.score >= MIN_RELATIVE * best), key=lambda d: -d.score)
    chosen: list[_Scored] = []
    per_article: Counter[int] = Counter()
    seen_text: set[str] = set()
    for doc in good:
        key = " ".join(doc.source.markdown.split())
        if per_article[doc.article.id] >= MAX_PER_ARTICLE or key in seen_text:
            continue
        chosen.append(doc)
        per_article[doc.article.id] += 1
        seen_text.add(key)
        if len(chosen) == MAX_PASSAGES:
            break
    here = article.id if article is not None else None
    return sorted(chosen, key=lambda d: (d.article.id != here, -d.score))


def answer_from_evidence(
    question: str,
    *,
    article: Article | None,
    level: ReadingLevel,
    anchor_prefix: str = "ask-",
) -> Evidence:
    """The best-matching passages of approved article text at `level`, verbatim with their
    citations (numbered for this panel, listed under each passage), then related articles.

    `article` (the one the question was asked on) is searched first and always; the others come
    from `_candidates`. An empty result means nothing matched well enough to show.
    """
    evidence = Evidence(question=question, level=level)
    if article is not None and article.is_public and article.live_revision_id is None:
        evidence.unreviewed = article
    query_terms = list(dict.fromkeys(terms(question)))[:MAX_QUERY_WORDS]
    if not query_terms:
        return evidence
    ids = _candidates(question, CANDIDATES)
    if article is not None:
        ids = [article.id, *(i for i in ids if i != article.id)]
    docs = _passages(_load(ids), level)
    score(query_terms, docs)
    chosen = _choose(docs, article, len([t for t in query_terms if t not in SOFT]))
    evidence.passages = _render(chosen, level, anchor_prefix)
    evidence.related = _related(docs, article)
    return evidence


def _related(docs: list[_Scored], article: Article | None) -> list[Article]:
    """Other articles with a passage on the question, best first (quoted ones included)."""
    best: dict[int, _Scored] = {}
    for doc in docs:
        if doc.coverage < RELATED_COVERAGE or (article is not None and doc.article == article):
            continue
        if doc.article.id not in best or doc.score > best[doc.article.id].score:
            best[doc.article.id] = doc
    ranked = sorted(best.values(), key=lambda d: -d.score)
    return [d.article for d in ranked[:MAX_RELATED]]


def _render(chosen: list[_Scored], level: ReadingLevel, prefix: str) -> list[EvidencePassage]:
    """Render each passage with one registry for the panel; each lists the sources it cites."""
    keys = {key for doc in chosen for key in citation_keys(doc.source.markdown)}
    library = {
        r.key: r for r in db.session.scalars(sa.select(Reference).where(Reference.key.in_(keys)))
    }
    registry = CitationRegistry(known_keys=set(library))
    shown = []
    for index, doc in enumerate(chosen, 1):
        passage_prefix = f"{prefix}{index}-"
        rendered = render(doc.source.markdown, registry, anchor_prefix=passage_prefix)
        cited = dict.fromkeys(k for k in citation_keys(doc.source.markdown) if k in library)
        references = [CitedReference(registry.order.index(k) + 1, library[k]) for k in cited]
        shown.append(
            EvidencePassage(
                article=doc.article,
                section=doc.section,
                variant=doc.variant,
                requested=level,
                subheading=doc.source.subheading,
                markdown=doc.source.markdown,
                html=rendered.html,
                references=sorted(references, key=lambda c: c.number),
                anchor_prefix=passage_prefix,
                score=doc.score,
            )
        )
    return shown
