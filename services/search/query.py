"""Reading what was typed in a search box: the same rules whichever engine answers.

The syntax is the web-search one PostgreSQL's `websearch_to_tsquery` reads: words must all
appear, `"a phrase"` must appear as written, `a OR b` accepts either, `-word` excludes. Anything
else (FTS5 operators, column filters, brackets, stray quotes, emoji) is only punctuation between
words. Each engine compiles the parsed query itself, from words made of letters and digits only,
so no input can reach an engine as syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from services.search.spanish import is_stopword as spanish_stopword

MAX_QUERY = 200  # characters of what was typed that are kept (and shown back)
MAX_TERMS = 12  # words a query may use; the rest are ignored
MIN_PREFIX = 3  # the word being typed matches longer words from this many letters

# PostgreSQL's `english` configuration drops these function words; SQLite's tokenizer keeps every
# word. The parser drops them for both engines, so a question typed in full ("What is the
# treatment for ...?") asks the same of each. ("All", sadly, is one: PostgreSQL cannot find it.)
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing don down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own s same she should so some such t than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with you your yours yourself yourselves
    """.split()
)

WORD = re.compile(r"[^\W_]+")  # letters and digits: what both engines' tokenizers keep
LEXEME = re.compile(r'(?P<negated>-)?"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+)')
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ue000-\uf8ff]")


@dataclass(frozen=True)
class Unit:
    """A word, or a phrase of words that must appear together; `prefix`: or begin a longer one."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Clause:
    """Any one of these units."""

    alternatives: tuple[Unit, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """Clauses that must all match (or any, when relaxed) and units that must not."""

    clauses: tuple[Clause, ...]
    excluded: tuple[Unit, ...] = ()
    # The query ends with this word, which may be half-typed: (its clause's index, the word).
    typing: tuple[int, str] | None = None

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def with_prefix(self) -> ParsedQuery | None:
        """The same query where the last word may also begin a longer one ("ponat" finds
        ponatinib); None when the query does not end with a word long enough for that."""
        if self.typing is None:
            return None
        index, word = self.typing
        clause = self.clauses[index]
        widened = Clause((*clause.alternatives, Unit((word,), prefix=True)))
        clauses = (*self.clauses[:index], widened, *self.clauses[index + 1 :])
        return ParsedQuery(clauses, self.excluded)


def normalise_query(raw: str) -> str:
    """What was typed, tidied for showing back: one line, single spaces, at most MAX_QUERY."""
    text = " ".join(CONTROL.sub(" ", raw or "").split())
    if len(text) > MAX_QUERY:
        text = text[:MAX_QUERY].rsplit(" ", 1)[0] if " " in text[:MAX_QUERY] else text[:MAX_QUERY]
    return text


def _tokens(text: str) -> tuple[str, ...]:
    # Split first, so a symbol such as ™ stays a separator; then fold width and ligature
    # variants (ｐｏｎａｔｉｎｉｂ, ﬁ), which can split again (½ becomes 1⁄2).
    return tuple(
        token
        for word in WORD.findall(text)
        for token in WORD.findall(unicodedata.normalize("NFKC", word).lower())
    )


def _alternative_spelling(token: str) -> str | None:
    """Greek plurals, which neither engine's stemmer joins: crisis/crises, diagnosis/diagnoses."""
    if len(token) < 5 or not token.isalpha():
        return None
    if token.endswith("es"):
        return token[:-2] + "is"
    if token.endswith("is"):
        return token[:-2] + "es"
    return None


def parse(query: str, *, language: str = "en") -> ParsedQuery:
    """Parse a normalised query into clauses of words and phrases, without `language`'s stop
    words (English, or Spanish: `services.search.spanish`)."""
    spanish = language == "es"
    stopword = spanish_stopword if spanish else STOPWORDS.__contains__
    groups: list[list[Unit]] = []
    excluded: list[Unit] = []
    joining = False  # the previous word was OR
    budget = MAX_TERMS
    last_word: Unit | None = None
    for match in LEXEME.finditer(query):
        word = match.group("word")
        if word is not None and word.lower() == "or":
            joining = bool(groups)
            continue
        negated = bool(match.group("negated")) or (word is not None and word.startswith("-"))
        tokens = _tokens(match.group("phrase") if word is None else word)
        last_word = None
        if not tokens or all(stopword(t) for t in tokens) or budget <= 0:
            joining = False
            continue
        unit = Unit(tokens[:budget])
        budget -= len(unit.tokens)
        if negated:
            excluded.append(unit)
        elif joining:
            groups[-1].append(unit)
        else:
            groups.append([unit])
        joining = False
        if word is not None and not negated and len(unit.tokens) == 1:
            last_word = unit
    clauses = []
    for group in groups:
        alternatives = list(group)
        for unit in group:
            if spanish or len(unit.tokens) != 1:
                continue  # Spanish crisis/crisis, diagnóstico/diagnósticos: the stemmer's work
            if spelling := _alternative_spelling(unit.tokens[0]):
                alternatives.append(Unit((spelling,)))
        clauses.append(Clause(tuple(dict.fromkeys(alternatives))))
    typing = None
    if groups and last_word is not None and groups[-1][-1] is last_word:
        if len(last_word.tokens[0]) >= MIN_PREFIX:
            typing = (len(groups) - 1, last_word.tokens[0])
    return ParsedQuery(tuple(clauses), tuple(excluded), typing)


def fts5_expression(
    parsed: ParsedQuery,
    *,
    any_clause: bool = False,
    columns: tuple[str, ...] = (),
    word: Callable[[str], str] | None = None,
) -> str:
    """An FTS5 MATCH expression built from quoted words only: no input becomes syntax.
    `word` turns each word into what the index holds (a Spanish stem), if given."""

    def unit(u: Unit) -> str:
        tokens = [word(t) for t in u.tokens] if word else u.tokens
        text = " ".join(tokens).replace('"', '""')
        return f'"{text}"' + ("*" if u.prefix else "")

    def clause(c: Clause) -> str:
        parts = [unit(u) for u in c.alternatives]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    expression = (" OR " if any_clause else " AND ").join(clause(c) for c in parsed.clauses)
    if parsed.excluded:
        expression = f"({expression}) NOT (" + " OR ".join(unit(u) for u in parsed.excluded) + ")"
    if columns:
        expression = "{" + " ".join(columns) + "}: (" + expression + ")"
    return expression
