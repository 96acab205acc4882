"""How a question's words meet article text: index terms, passages, and their BM25 scores.

Words become index terms: stems (Porter2), stop words dropped, upper-case abbreviations such as
"ALL" kept apart from the word "all", identifiers (T315I, Ph+) matched exactly. A passage is one
block of a section as its authors wrote it (a paragraph, a top-level list item with its
sub-items, a table, a quotation), cut verbatim from the Markdown source; its terms are counted
once per text and cached with it, since revisions never change.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from markdown_it import MarkdownIt

from models import SectionKind
from services.reading.markdown import CITED
from services.search import spanish

BM25_K1, BM25_B = 1.2, 0.75
# Sections never quoted as evidence: the questions to ask the care team are questions, not
# answers ("Is there a clinical trial that fits my situation?" would match a reader's question
# word for word and be shown under "What our reviewed articles say").
NOT_QUOTED = frozenset({SectionKind.QUESTIONS})

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
# A Snowball stemmer keeps its working state on the object, so threads sharing one corrupt each
# other's words (wrong stems, or IndexError): each thread gets its own.
_local = threading.local()


def stem(word: str) -> str:
    """The Porter2 stem of a lower-case word, with this thread's own stemmer."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


# Verdict words: a passage that uses them ranks higher ("better survival than dasatinib"), but
# one that doesn't is not counted as missing part of the question, since sources rarely say "best".
SOFT = frozenset(
    map(stem, ["better", "best", "worse", "worst", "good", "bad", "safe", "safer", "safest"])
) | frozenset(map(spanish.stem, ["mejor", "mejores", "peor", "peores", "bueno", "buena", "malo"]))
# Block structure only: passages are cut from the source by line, so inline parsing is not needed.
_blocks = MarkdownIt("commonmark").enable("table")
_blocks.core.ruler.disable("inline")
EMPHASIS = re.compile(r"[*_`]+")


# -- Words ------------------------------------------------------------------------------------


@lru_cache(maxsize=20_000)
def _term(word: str, language: str = "en") -> str | None:
    """The index form of one word: an abbreviation as is, else its stem; None for a stop word.
    Spanish words lose their accents and take Spanish stems (services.search.spanish)."""
    if len(word) > 1 and word.isupper():
        return word.lower()  # ALL, CML, TKI: abbreviations, never stop words
    if language == "es":
        folded = spanish.fold(word)
        if folded in spanish.STOPWORDS or (len(folded) < 2 and not folded.isdigit()):
            return None
        return spanish.stem(folded) if folded.isalpha() else folded
    lower = PLURALS.get(word.lower(), word.lower())
    if lower in STOPWORDS or (len(lower) < 2 and not lower.isdigit()):
        return None
    if not lower.isalpha():
        return lower  # T315I, ABL1, Ph+: identifiers are matched exactly
    stemmed = stem(lower)
    # Porter2 keeps "treatment" apart from "treat"; readers ask either way.
    if len(stemmed) >= 8 and stemmed.endswith("ment"):
        stemmed = stemmed[:-4]
    return stemmed


def _words(text: str) -> list[str]:
    if not any(ch.islower() for ch in text):
        text = text.lower()  # a question typed in capitals is not a string of abbreviations
    return TOKEN.findall(text)


def terms(text: str, language: str = "en") -> list[str]:
    """The index terms of `text` read as `language`, in order, repeats kept."""
    return [t for t in (_term(w, language) for w in _words(text)) if t]


def query_words(text: str, language: str = "en") -> list[str]:
    """The question's content words as typed (lower case, no stop words), first use order."""
    seen: dict[str, None] = {}
    for word in _words(text):
        if _term(word, language) is not None:
            seen.setdefault(word.lower(), None)
    return list(seen)


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


def _passage(markdown: str, subheading: str, language: str) -> SourcePassage:
    # Citation keys ("@fda-iclusig") are not words of the text: a passage must not match on them.
    words = terms(CITED.sub("", markdown), language)
    return SourcePassage(markdown, subheading, Counter(words), len(words))


@lru_cache(maxsize=16_384)
def split_passages(body: str, language: str = "en") -> tuple[SourcePassage, ...]:
    """Cut Markdown into passages: paragraphs, top-level list items (with their sub-items),
    tables and quotations, each exactly as written. Headings are context, not passages.

    A list introduced by a paragraph ending in a colon ("Points that rest on general practice
    rather than the sources cited here:") keeps that lead-in above each of its items: an item
    must never lose the words that qualify it. Revisions are immutable, so the passages of a
    text are cached by the text itself. Terms are read as `language`: the question's, whatever
    the passage's own (an English passage on a Spanish page still matches "ponatinib").
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
            quoted = f"{lead_in}\n\n{text}" if lead_in else text
            passages.append(_passage(quoted, subheading, language))
        elif token.type in ("paragraph_open", "table_open", "blockquote_open"):
            is_lead_in = token.type == "paragraph_open" and _inline_text(text).endswith(":")
            lead_in = text if is_lead_in else ""
            if not lead_in:  # a lead-in alone says nothing; it comes with each of its items
                passages.append(_passage(text, subheading, language))
        elif token.type not in ("bullet_list_open", "ordered_list_open"):
            lead_in = ""
    return tuple(passages)


@lru_cache(maxsize=4_096)
def heading_terms(heading: str, subheading: str, language: str = "en") -> tuple[Counter, int]:
    """Terms of the headings a passage sits under, which count as its words too."""
    words = terms(heading, language) + terms(subheading, language)
    return Counter(words), len(words)


# -- Scores -----------------------------------------------------------------------------------


def score(query_terms: list[str], docs: list) -> None:
    """BM25 over the candidate passages, and each passage's idf-weighted coverage of the query.

    Each of `docs` has `source` (a SourcePassage), `context` and `size` (its headings' terms
    counted with it), and gets `score`, `coverage` and `matched` (distinct query terms found).
    """
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
    # Passages must still match enough of all the words (instant._choose) to be shown.
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
