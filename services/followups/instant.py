"""The instant answer: what Vetted's public articles already say about a reader's question.

Extractive only. A passage is one block of a section as its authors wrote it (a paragraph, a
top-level list item with its sub-items, a table, a quotation), cut from the Markdown source and
rendered by the same renderer as the article page, so every sentence shown, and every citation
with it, is verbatim public content. Nothing is generated, summarised or paraphrased.

Passages are scored with BM25 over the passages of the candidate articles (stems, stop words
dropped, upper-case abbreviations such as "ALL" kept apart from the word "all"), and shown only
when they cover at least half the weight of the question's words: when nothing matches well, the
panel says so rather than show weak passages.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
import sqlalchemy as sa
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from extensions import db
from models import (
    Article,
    ReadingLevel,
    Reference,
    ReviewStatus,
    Section,
    SectionKind,
    SectionVariant,
)
from services import search
from services.editorial.publishing import publicly_visible
from services.reading.markdown import CITED, CitationRegistry, citation_keys, render
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
BM25_K1, BM25_B = 1.2, 0.75

# Function words and question scaffolding: they say nothing about what a passage is about.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves may might must shall there's what's it's i'm don't doesn't isn't
    tell know please thank thanks anyone someone something get got use used using
    ok okay really
    """.split()
)
# Greek plurals the stemmer keeps apart from their singular ("crises" / "crisis").
PLURALS = {
    "crises": "crisis",
    "diagnoses": "diagnosis",
    "prognoses": "prognosis",
    "metastases": "metastasis",
    "analyses": "analysis",
    "thromboses": "thrombosis",
    "stenoses": "stenosis",
}
TOKEN = re.compile(r"[^\W_]+\+?")
_stemmer = snowballstemmer.stemmer("english")
# Verdict words: a passage that uses them ranks higher ("better survival than dasatinib"), but
# one that doesn't is not counted as missing part of the question, since sources rarely say "best".
SOFT = frozenset(
    _stemmer.stemWords(
        ["better", "best", "worse", "worst", "good", "bad", "safe", "safer", "safest"]
    )
)
# Block structure only: passages are cut from the source by line, so inline parsing is not needed.
_blocks = MarkdownIt("commonmark").enable("table")
_blocks.core.ruler.disable("inline")
EMPHASIS = re.compile(r"[*_`]+")


# -- Words ------------------------------------------------------------------------------------


@lru_cache(maxsize=20_000)
def _term(word: str) -> str | None:
    """The index form of one word: an abbreviation as is, else its stem; None for a stop word."""
    if len(word) > 1 and word.isupper():
        return word.lower()  # ALL, CML, TKI: abbreviations, never stop words
    lower = PLURALS.get(word.lower(), word.lower())
    if lower in STOPWORDS or (len(lower) < 2 and not lower.isdigit()):
        return None
    if not lower.isalpha():
        return lower  # T315I, ABL1, Ph+: identifiers are matched exactly
    stem = _stemmer.stemWord(lower)
    # Porter2 keeps "treatment" apart from "treat"; readers ask either way.
    if len(stem) >= 8 and stem.endswith("ment"):
        stem = stem[:-4]
    return stem


def _words(text: str) -> list[str]:
    if not any(ch.islower() for ch in text):
        text = text.lower()  # a question typed in capitals is not a string of abbreviations
    return TOKEN.findall(text)


def terms(text: str) -> list[str]:
    """The index terms of `text`, in order, repeats kept."""
    return [t for t in (_term(w) for w in _words(text)) if t]


def query_words(text: str) -> list[str]:
    """The question's content words as typed (lower case, no stop words), first use order."""
    seen: dict[str, None] = {}
    for word in _words(text):
        if _term(word) is not None:
            seen.setdefault(word.lower(), None)
    return list(seen)


# -- Candidates: the seam to full-text search ---------------------------------------------------


def _candidates(query: str, limit: int) -> list[int]:
    """Ids of public articles that may answer `query`, best first: the one seam between the
    instant answer and full-text search (which matches any of the question's words)."""
    return search.candidate_article_ids(query, limit=limit)


# -- Passages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourcePassage:
    """One block of a section's Markdown, cut verbatim, with the sub-heading it sits under and
    its index terms (counted once per text, cached with it)."""

    markdown: str
    subheading: str
    terms: Counter
    size: int  # number of terms


def normalise_newlines(body: str) -> str:
    """Markdown as the parser sees it: textareas send CRLF, the parser counts LF lines."""
    return body.replace("\r\n", "\n").replace("\r", "\n")


def _inline_text(markdown: str) -> str:
    """Words of inline Markdown without citations and emphasis marks (headings, lead-ins)."""
    return " ".join(EMPHASIS.sub("", CITED.sub("", markdown)).split())


def _passage(markdown: str, subheading: str) -> SourcePassage:
    # Citation keys ("@fda-iclusig") are not words of the text: a passage must not match on them.
    words = terms(CITED.sub("", markdown))
    return SourcePassage(markdown, subheading, Counter(words), len(words))


@lru_cache(maxsize=16_384)
def split_passages(body: str) -> tuple[SourcePassage, ...]:
    """Cut Markdown into passages: paragraphs, top-level list items (with their sub-items),
    tables and quotations, each exactly as written. Headings are context, not passages.

    A list introduced by a paragraph ending in a colon ("Points that rest on general practice
    rather than the sources cited here:") keeps that lead-in above each of its items: an item
    must never lose the words that qualify it. Revisions are immutable, so the passages of a
    text are cached by the text itself.
    """
    source = normalise_newlines(body)
    lines = source.split("\n")
    tokens = _blocks.parse(source)
    subheading, lead_in, passages = "", "", []
    for index, token in enumerate(tokens):
        if token.level != 0 and not (token.level == 1 and token.type == "list_item_open"):
            continue
        if token.type == "heading_open":
            subheading, lead_in = _inline_text(tokens[index + 1].content), ""
            continue
        if not token.map or token.nesting == -1:
            continue
        start, end = token.map
        text = "\n".join(lines[start:end]).strip("\n")
        if token.type == "list_item_open":
            passages.append(_passage(f"{lead_in}\n\n{text}" if lead_in else text, subheading))
        elif token.type in ("paragraph_open", "table_open", "blockquote_open"):
            is_lead_in = token.type == "paragraph_open" and _inline_text(text).endswith(":")
            lead_in = text if is_lead_in else ""
            if not lead_in:  # a lead-in alone says nothing; it comes with each of its items
                passages.append(_passage(text, subheading))
        elif token.type not in ("bullet_list_open", "ordered_list_open"):
            lead_in = ""
    return tuple(passages)


@lru_cache(maxsize=4_096)
def _context(heading: str, subheading: str) -> tuple[Counter, int]:
    """Terms of the headings a passage sits under, which count as its words too."""
    words = terms(heading) + terms(subheading)
    return Counter(words), len(words)


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


def _score(query_terms: list[str], docs: list[_Scored]) -> None:
    """BM25 over the candidate passages, and each passage's idf-weighted coverage of the query."""
    if not docs or not query_terms:
        return
    n = len(docs)
    average = sum(d.size for d in docs) / n or 1.0
    frequency = {
        t: sum(1 for d in docs if t in d.source.terms or t in d.context) for t in query_terms
    }
    idf = {t: math.log(1 + (n - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in query_terms}
    # Weight of the question's words that some candidate passage uses: a word no article uses
    # ("my mother ...") cannot be matched by any passage, so it must not sink every passage.
    # Passages must still match enough of all the words (`_choose`) to be shown.
    total = sum(w for t, w in idf.items() if t not in SOFT and frequency[t]) or 1.0
    for doc in docs:
        norm = BM25_K1 * (1 - BM25_B + BM25_B * doc.size / average)
        for term in query_terms:
            tf = doc.source.terms.get(term, 0) + doc.context.get(term, 0)
            if tf:
                doc.score += idf[term] * tf * (BM25_K1 + 1) / (tf + norm)
                if term not in SOFT:
                    doc.coverage += idf[term] / total
                    doc.matched += 1


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
    def is_pending(self) -> bool:
        """From an article whose public text still waits for the Medical Advisory Board."""
        revision = self.article.public_revision
        return revision is None or revision.status != ReviewStatus.APPROVED

    @property
    def is_collapsible(self) -> bool:
        return self.section.kind != SectionKind.SUMMARY


@dataclass
class Evidence:
    question: str
    level: ReadingLevel
    passages: list[EvidencePassage] = field(default_factory=list)
    related: list[Article] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.passages)


@dataclass(frozen=True)
class SectionText:
    """A section of a public revision, as much of it as a passage needs."""

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
    """Public articles with their public revision (for its review state): one query."""
    if not article_ids:
        return []
    found = db.session.scalars(
        sa.select(Article)
        .where(Article.id.in_(article_ids), publicly_visible())
        .options(joinedload(Article.public_revision))
    ).all()
    order = {article_id: rank for rank, article_id in enumerate(article_ids)}
    return sorted(found, key=lambda a: order[a.id])


def _texts(articles: list[Article]) -> dict[int, list[tuple[SectionText, list[VariantText]]]]:
    """Every section of the articles' public revisions with its wordings, by revision: one
    plain query, since building thousands of ORM objects would cost more than the scoring."""
    revision_ids = [a.public_revision_id for a in articles if a.public_revision_id]
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
        .where(Section.revision_id.in_(revision_ids))
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
        for section, variants in texts.get(article.public_revision_id, []):
            variant = _choose_variant(variants, level)
            if variant is None:
                continue
            for source in split_passages(variant.body):
                context, size = _context(section.heading, source.subheading)
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
    """The best-matching passages of public articles at `level`, verbatim with their citations
    (numbered for this panel, listed under each passage), then related articles.

    `article` (the one the question was asked on) is searched first and always; the others come
    from `_candidates`. An empty result means nothing matched well enough to show.
    """
    evidence = Evidence(question=question, level=level)
    query_terms = list(dict.fromkeys(terms(question)))[:MAX_QUERY_WORDS]
    if not query_terms:
        return evidence
    ids = _candidates(question, CANDIDATES)
    if article is not None:
        ids = [article.id, *(i for i in ids if i != article.id)]
    docs = _passages(_load(ids), level)
    _score(query_terms, docs)
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
