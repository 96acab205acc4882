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

Short enough to read on a phone. The best few passages come first and the rest wait behind "Show
more"; passages are grouped under their article, in the article's own order, and each article's
sources are listed once for its group, numbered for the group by first use.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup

from extensions import db
from models import (
    SOURCE_LANGUAGE,
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
from services.reading.markdown import CITED, CitationRegistry, citation_keys, render
from services.reading.personalization import FALLBACK
from services.reading.view import CitedReference

CANDIDATES = 20  # articles searched for passages, besides the one the question is about
MAX_PASSAGES = 5
MAX_PER_ARTICLE = 3
# The first view: the best passages, at most three, within about two phone screens of reading,
# weighed in words: a passage's own, plus a few for its section label, for each source it adds
# to its article's list and for each article heading it brings. The rest wait behind "Show more".
FIRST_VIEW = 3
FIRST_VIEW_WORDS = 170
LABEL_WORDS, SOURCE_WORDS, HEADING_WORDS = 6, 15, 20
MAX_RELATED = 4
MIN_COVERAGE = 0.5  # share of the question's word weight a passage must match to be shown
MIN_RELATIVE = 0.35  # ...and its score against the best passage's
MIN_MATCHED_SHARE = 0.4
RELATED_COVERAGE = 0.34
MAX_QUERY_WORDS = 12

# -- Candidates: the seam to full-text search ---------------------------------------------------


def _candidates(query: str, limit: int, language: str = SOURCE_LANGUAGE) -> list[int]:
    """Ids of public articles that may answer `query`, best first: the one seam between the
    instant answer and full-text search (which matches any of the question's words, in the
    index of the question's language)."""
    return search.candidate_article_ids(query, limit=limit, language=language)


@dataclass
class _Scored:
    article: Article
    section: SectionText
    variant: VariantText
    source: SourcePassage
    context: Counter  # the headings' terms (shared between passages: never changed)
    size: int
    index: int  # the passage's place in its section
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
    references: list[CitedReference]  # the sources it cites, numbered for its group
    anchor_prefix: str  # its group's: markers link to the group's list of sources
    score: float
    language: str = SOURCE_LANGUAGE  # the page's: a passage in another is marked as such

    @property
    def is_untranslated(self) -> bool:
        """The page's language has no wording here: the English passage stands in."""
        return self.variant.language != self.language

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
class EvidenceGroup:
    """One article's passages, in the article's order: those in the first view and those behind
    "Show more", each part followed by the sources it cites that no earlier part listed, so each
    source is listed once, numbered for the group by first use."""

    article: Article
    anchor_prefix: str
    passages: list[EvidencePassage] = field(default_factory=list)
    references: list[CitedReference] = field(default_factory=list)
    more: list[EvidencePassage] = field(default_factory=list)
    more_references: list[CitedReference] = field(default_factory=list)
    question: str = ""  # the article's question in the page's language, else the English one
    question_lang: str | None = None  # set when that is not the page's language


@dataclass
class Evidence:
    question: str
    level: ReadingLevel
    groups: list[EvidenceGroup] = field(default_factory=list)
    related: list[Article] = field(default_factory=list)
    # The question's own article when none of its text is approved yet, so none of it is quoted.
    unreviewed: Article | None = None

    @property
    def passages(self) -> list[EvidencePassage]:
        """Every passage, as the panel shows them once "Show more" is open."""
        first = [p for group in self.groups for p in group.passages]
        return first + [p for group in self.groups for p in group.more]

    @property
    def more_count(self) -> int:
        return sum(len(group.more) for group in self.groups)

    @property
    def found(self) -> bool:
        return bool(self.groups)


@dataclass(frozen=True)
class SectionText:
    """A section of a live (approved) revision, as much of it as a passage needs."""

    id: int
    kind: SectionKind
    heading: str
    position: int
    heading_lang: str | None = None  # set when the heading is not in the page's language

    @property
    def anchor(self) -> str:
        return f"section-{self.position}"


@dataclass(frozen=True)
class VariantText:
    id: int
    level: ReadingLevel
    body: str
    language: str = SOURCE_LANGUAGE


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


def _texts(
    articles: list[Article], language: str = SOURCE_LANGUAGE
) -> dict[int, list[tuple[SectionText, list[VariantText]]]]:
    """Every section of the articles' live revisions with its wordings in English and in
    `language`, headings in `language` where they have one, by revision: one plain query,
    since building thousands of ORM objects would cost more than the scoring."""
    revision_ids = [a.live_revision_id for a in articles if a.live_revision_id]
    rows = db.session.execute(
        sa.select(
            Section.revision_id,
            Section.id,
            Section.kind,
            Section.heading,
            Section.heading_translations,
            Section.position,
            SectionVariant.id,
            SectionVariant.level,
            SectionVariant.body,
            SectionVariant.language,
        )
        .join(SectionVariant, SectionVariant.section_id == Section.id)
        .where(
            Section.revision_id.in_(revision_ids),
            Section.kind.not_in(NOT_QUOTED),
            SectionVariant.language.in_({SOURCE_LANGUAGE, language}),
        )
        .order_by(Section.revision_id, Section.position)
    )
    sections: dict[int, dict[int, tuple[SectionText, list[VariantText]]]] = {}
    for revision_id, section_id, kind, heading, headings, position, *variant in rows:
        by_id = sections.setdefault(revision_id, {})
        if section_id not in by_id:
            translated = (headings or {}).get(language) if language != SOURCE_LANGUAGE else heading
            lang = None if translated else SOURCE_LANGUAGE
            text = SectionText(section_id, kind, translated or heading, position, lang)
            by_id[section_id] = (text, [])
        by_id[section_id][1].append(VariantText(*variant))
    return {revision_id: list(by_id.values()) for revision_id, by_id in sections.items()}


def _choose_variant(
    variants: list[VariantText], level: ReadingLevel, language: str = SOURCE_LANGUAGE
) -> VariantText | None:
    """The article page's fallback (services.reading.wording.choose_wording): the reader's
    level in `language`, else the nearest more technical one in it; else the same in English."""
    for wanted in dict.fromkeys((language, SOURCE_LANGUAGE)):
        by_level = {v.level: v for v in variants if v.language == wanted}
        chosen = next((by_level[lv] for lv in FALLBACK[level] if lv in by_level), None)
        if chosen is not None:
            return chosen
    return None


def _passages(
    articles: list[Article], level: ReadingLevel, language: str = SOURCE_LANGUAGE
) -> list[_Scored]:
    texts = _texts(articles, language)
    docs = []
    for article in articles:
        for section, variants in texts.get(article.live_revision_id, []):
            variant = _choose_variant(variants, level, language)
            if variant is None:
                continue
            for index, source in enumerate(split_passages(variant.body, language)):
                context, size = heading_terms(section.heading, source.subheading, language)
                size += source.size
                docs.append(_Scored(article, section, variant, source, context, size, index))
    return docs


def _choose(docs: list[_Scored], article: Article | None, n_terms: int) -> list[_Scored]:
    """The passages that match well, at most a few per article, best first (this article's
    before the others')."""
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
    language: str = SOURCE_LANGUAGE,
) -> Evidence:
    """The best-matching passages of approved article text at `level`, verbatim with their
    citations (numbered for this panel, listed under each passage), then related articles.
    In `language` (the page's): its wording, found through its index, else the English.

    `article` (the one the question was asked on) is searched first and always; the others come
    from `_candidates`. An empty result means nothing matched well enough to show.
    """
    evidence = Evidence(question=question, level=level)
    if article is not None and article.is_public and article.live_revision_id is None:
        evidence.unreviewed = article
    query_terms = list(dict.fromkeys(terms(question, language)))[:MAX_QUERY_WORDS]
    if not query_terms:
        return evidence
    ids = _candidates(question, CANDIDATES, language)
    if article is not None:
        ids = [article.id, *(i for i in ids if i != article.id)]
    docs = _passages(_load(ids), level, language)
    score(query_terms, docs)
    chosen = _choose(docs, article, len([t for t in query_terms if t not in SOFT]))
    evidence.groups = _render(chosen, level, anchor_prefix, language)
    evidence.related = _related(docs, article, quoted={d.article.id for d in chosen})
    return evidence


def _related(docs: list[_Scored], article: Article | None, quoted: set[int]) -> list[Article]:
    """Other articles with a passage on the question, best first; not those quoted, whose
    group already links to them."""
    best: dict[int, _Scored] = {}
    for doc in docs:
        if doc.coverage < RELATED_COVERAGE or doc.article.id in quoted:
            continue
        if article is not None and doc.article == article:
            continue
        if doc.article.id not in best or doc.score > best[doc.article.id].score:
            best[doc.article.id] = doc
    ranked = sorted(best.values(), key=lambda d: -d.score)
    return [d.article for d in ranked[:MAX_RELATED]]


def _render(
    chosen: list[_Scored], level: ReadingLevel, prefix: str, language: str = SOURCE_LANGUAGE
) -> list[EvidenceGroup]:
    """Group the chosen passages (best first) by article: the first `FIRST_VIEW` shown at once,
    the rest behind "Show more". Groups come in order of their best passage, passages in their
    article's order; each group numbers its citations with a registry of its own."""
    keys = {key for doc in chosen for key in citation_keys(doc.source.markdown)}
    library = {
        r.key: r for r in db.session.scalars(sa.select(Reference).where(Reference.key.in_(keys)))
    }
    first_view = _first_view(chosen)
    by_article: dict[int, tuple[list[_Scored], list[_Scored]]] = {}
    for rank, doc in enumerate(chosen):
        parts = by_article.setdefault(doc.article.id, ([], []))
        parts[0 if rank < first_view else 1].append(doc)
    groups = []
    for number, (first, more) in enumerate(by_article.values(), 1):
        group = EvidenceGroup((first or more)[0].article, f"{prefix}{number}-")
        group.question, group.question_lang = _question(group.article, language)
        registry = CitationRegistry(known_keys=set(library))
        rendering = (level, registry, group.anchor_prefix, library, language)
        group.passages = [_shown(doc, *rendering) for doc in _ordered(first)]
        listed = len(registry.order)  # the first view's sources; the rest are new in "more"
        group.more = [_shown(doc, *rendering) for doc in _ordered(more)]
        cited = [CitedReference(n, library[k]) for n, k in enumerate(registry.order, 1)]
        group.references, group.more_references = cited[:listed], cited[listed:]
        groups.append(group)
    return groups


def _question(article: Article, language: str) -> tuple[str, str | None]:
    """The question of the live revision quoted, in `language` where it has one."""
    if language == SOURCE_LANGUAGE or article.live_revision is None:
        return article.question, None
    translated = (article.live_revision.question_translations or {}).get(language)
    return (translated, None) if translated else (article.question, SOURCE_LANGUAGE)


def _first_view(chosen: list[_Scored]) -> int:
    """How many of the chosen passages (best first) the first view holds: always the best one,
    then as many as `FIRST_VIEW` and `FIRST_VIEW_WORDS` allow, never skipping one to fit the
    next (the order is the ranking)."""
    spent, listed, headed = 0, set(), set()
    for count, doc in enumerate(chosen):
        sources = {(doc.article.id, key) for key in citation_keys(doc.source.markdown)} - listed
        cost = len(CITED.sub("", doc.source.markdown).split()) + LABEL_WORDS
        cost += SOURCE_WORDS * len(sources) + HEADING_WORDS * (doc.article.id not in headed)
        if count == FIRST_VIEW or (count and spent + cost > FIRST_VIEW_WORDS):
            return count
        spent += cost
        listed |= sources
        headed.add(doc.article.id)
    return len(chosen)


def _ordered(docs: list[_Scored]) -> list[_Scored]:
    """Passages of one article in the order its readers meet them."""
    return sorted(docs, key=lambda d: (d.section.position, d.index))


def _shown(
    doc: _Scored,
    level: ReadingLevel,
    registry: CitationRegistry,
    prefix: str,
    library: dict[str, Reference],
    language: str,
) -> EvidencePassage:
    """One passage rendered verbatim, its markers numbered by its group's registry."""
    rendered = render(doc.source.markdown, registry, anchor_prefix=prefix)
    cited = dict.fromkeys(k for k in citation_keys(doc.source.markdown) if k in library)
    references = [CitedReference(registry.order.index(k) + 1, library[k]) for k in cited]
    return EvidencePassage(
        article=doc.article,
        section=doc.section,
        variant=doc.variant,
        requested=level,
        subheading=doc.source.subheading,
        markdown=doc.source.markdown,
        html=rendered.html,
        references=sorted(references, key=lambda c: c.number),
        anchor_prefix=prefix,
        score=doc.score,
        language=language,
    )
