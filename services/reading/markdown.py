"""Markdown rendering for article text: sanitised HTML with numbered citation markers.

Authors write CommonMark without raw HTML; citations are `[@key]` or `[@a; @b]`. Citations are
numbered by first use across everything rendered with the same `CitationRegistry`, so the summary
and every section of a page share one numbering and one reference list.

No library implements Pandoc-style citations for markdown-it-py with our numbering across several
documents, so the inline rule below is our own; everything else is markdown-it-py and nh3.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import Markup, escape

CITATION = re.compile(r"\[(\s*@[^\s;\]\[]+\s*(?:;\s*@[^\s;\]\[]+\s*)*)\]")
# Citations and glossary terms are rendered as placeholders that survive sanitising untouched,
# then replaced. Each placeholder carries a secret drawn afresh for every rendering, so no text
# can forge one: not typed characters, and not an entity (`&#xE000;`) that the parser decodes
# after any stripping of the source could happen.
PLACEHOLDER_OPEN, PLACEHOLDER_CLOSE = "\ue000", "\ue001"
PRIVATE_USE = re.compile("[\ue000\ue001]")
CITED = re.compile(r"[ \t]*" + CITATION.pattern)  # a citation with the space before it
# A marker hugs the word before it and the punctuation after it ("(CML)¹."): U+2060 WORD JOINER
# on each side of it forbids a line break there (UAX #14 LB11, which CSS keeps even beside an
# inline-block), and is neither whitespace nor read aloud.
WORD_JOINER = "\u2060"
# Punctuation that belongs to the text before a citation, so it follows the marker directly.
CLOSING = tuple(".,;:!?)]}\u201d\u2019\u2026")
# Spaces, and delimiters decoded from entities (dropped from the page at the end), at either end.
BLANK_START, BLANK_END = re.compile(r"\A[\s\ue000\ue001]+"), re.compile(r"[\s\ue000\ue001]+\Z")

ALLOWED_TAGS = {
    "p", "ul", "ol", "li", "h3", "h4", "strong", "em", "code", "a", "blockquote", "br", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "ol": {"start"}}

# What made a rendering: this module and the libraries it drives. Stored renderings are keyed by
# it (caching/renders.py, with the compiled catalogs whose words it writes), so a change to how
# text renders is never hidden by one made before.
RENDERER_VERSION = hashlib.blake2b(
    b"\0".join(
        [Path(__file__).read_bytes(), *(version(n).encode() for n in ("markdown-it-py", "nh3"))]
    ),
    digest_size=8,
).hexdigest()

PREVIEW_WORDS = 90  # a long section shows at least this many words before "Show full section"
LONG_SECTION_WORDS = 220


@dataclass
class CitationRegistry:
    """Numbers citation keys by first use and remembers which keys are unknown."""

    known_keys: set[str]
    order: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    # What a screen reader hears before a marker's number, in the page's language.
    marker_label: str = "Reference"
    _uses: int = 0

    def number(self, key: str) -> int | None:
        if key not in self.known_keys:
            if key not in self.unknown:
                self.unknown.append(key)
            return None
        if key not in self.order:
            self.order.append(key)
        return self.order.index(key) + 1

    def next_use_id(self) -> int:
        self._uses += 1
        return self._uses


@dataclass
class Glossary:
    """Terms to explain inline: first use per rendered text, outside headings, links and code."""

    pattern: re.Pattern | None
    entries: dict[str, object]  # surface form -> term (models.GlossaryTerm)
    folded: dict[str, object]  # lower-cased canonical term -> term, matched case-insensitively
    url: Callable[[object], str]
    # An alias written all in lower case, capitalised as at the start of a sentence -> term.
    capitalised: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(cls, terms, url: Callable[[object], str]) -> Glossary:
        exact, folded, lower = {}, {}, {}
        for term in terms:
            folded[term.term.lower()] = term
            exact |= {form: term for form in [term.abbr, *term.aliases] if form}
            lower |= {a: term for a in term.aliases if a and a == a.lower() != a[0].upper() + a[1:]}
        # Abbreviations stay exact ("ALL" the leukemia is not "all"), as does an alias with a
        # capital inside ("mAb"); an alias in lower case also matches with its first letter
        # capitalised (a sentence's start), unless that spelling is a form of its own.
        capitalised = {a[0].upper() + a[1:]: term for a, term in lower.items()}
        forms = sorted({*exact, *folded}, key=len, reverse=True)
        alternatives = [
            f"(?i:{re.escape(f)})"
            if f in folded and f not in exact
            else f"(?:{re.escape(f[0])}|{re.escape(f[0].upper())}){re.escape(f[1:])}"
            if f in lower
            else re.escape(f)
            for f in forms
        ]
        pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(alternatives) + r")(?![\w-])")
            if alternatives
            else None
        )
        return cls(pattern, exact, folded, url, capitalised)

    def lookup(self, surface: str):
        found = self.entries.get(surface) or self.capitalised.get(surface)
        return found or self.folded.get(surface.lower())


@dataclass
class RenderedText:
    html: Markup
    preview_html: Markup | None  # set when the text is long enough to collapse
    word_count: int
    # With a preview: what it leaves out, lean, for paper only (printed after the preview).
    rest_html: Markup | None = None


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[" or state.src.startswith("[^", state.pos):
        return False
    match = CITATION.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"keys": [k.strip().lstrip("@") for k in match.group(1).split(";")]}
    state.pos = match.end()
    return True


def _tighten_citations(state) -> None:
    """`word [@a] .` renders as word¹. — a citation belongs to the text before it: no space or
    line break between a word and its marker, nor between the marker and punctuation after it,
    also across the edges of emphasis or a link (`*word* [@a]`, `word *[@a]*.`).
    """
    for block in state.tokens:
        if not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type == "citation":
                _close_up(children)
            elif _is_text(token) and BLANK_START.sub("", token.content).startswith(CLOSING):
                if _close_up(children, after="citation"):
                    token.content = BLANK_START.sub("", token.content)
            children.append(token)
        block.children = [t for t in children if not _is_text(t) or t.content]


def _is_text(token: Token) -> bool:
    # Before the core rule `text_join`, an entity or escape is a `text_special` token of its own.
    return token.type in ("text", "text_special")


def _is_gap(token: Token) -> bool:
    """A line break, or text that is only whitespace."""
    return token.type in ("softbreak", "hardbreak") or (
        _is_text(token) and not BLANK_END.sub("", token.content)
    )


def _close_up(children: list[Token], *, after: str | None = None) -> bool:
    """Drop the breaks and spaces at the end of `children`, looking past the edges of markup
    (emphasis, links), and the trailing spaces of the text before them; with `after`, only
    when what comes before all that is a token of that type. In place; says whether it did."""
    index = len(children)
    while index and (_is_gap(children[index - 1]) or children[index - 1].nesting != 0):
        index -= 1
    before = children[index - 1] if index else None
    if after is not None and (before is None or before.type != after):
        return False
    children[index:] = [t for t in children[index:] if not _is_gap(t)]
    if before is not None and _is_text(before):
        before.content = BLANK_END.sub("", before.content)
    return True


def _glossary_rule(state) -> None:
    """Split text tokens at the first use of each glossary term in this text."""
    glossary: Glossary | None = state.env.get("glossary")
    if glossary is None or glossary.pattern is None:
        return
    used: set[int] = state.env.setdefault("glossary_used", set())
    in_heading = False
    for block in state.tokens:
        if block.type in ("heading_open", "heading_close"):
            in_heading = block.type == "heading_open"
        if block.type != "inline" or in_heading or not block.children:
            continue
        children, link_depth = [], 0
        for child in block.children:
            link_depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type != "text" or link_depth:
                children.append(child)
                continue
            children.extend(_split_terms(child, glossary, used, state.env))
        block.children = children


def _split_terms(token, glossary: Glossary, used: set[int], env: dict):
    text, pieces, start = token.content, [], 0
    for match in glossary.pattern.finditer(text):
        term = glossary.lookup(match.group(1))
        if term is None or id(term) in used:
            continue
        used.add(id(term))
        if match.start() > start:
            pieces.append(Token("text", "", 0, content=text[start : match.start()]))
        hit = Token("glossary", "", 0, content=match.group(1))
        hit.meta = {"term": term}
        pieces.append(hit)
        start = match.end()
    if not pieces:
        return [token]
    if start < len(text):
        pieces.append(Token("text", "", 0, content=text[start:]))
    return pieces


def _clamp_headings(md: MarkdownIt) -> None:
    """Headings inside a section start at h3: the page owns h1 and each section's h2."""

    def render(self, tokens, idx, options, env):
        token = tokens[idx]
        level = min(max(int(token.tag[1]), 3), 4)
        return f"<{'/' if token.nesting == -1 else ''}h{level}>"

    md.add_render_rule("heading_open", render)
    md.add_render_rule("heading_close", render)


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.disable("image")  # no third-party images on medical pages; CSP would block them anyway
    md.inline.ruler.before("link", "citation", _citation_rule)

    def render_citation(self, tokens, idx, options, env):
        groups = env.setdefault("citations", [])
        groups.append(tokens[idx].meta["keys"])
        return _placeholder(env, "c", len(groups) - 1)

    def render_glossary(self, tokens, idx, options, env):
        hits = env.setdefault("glossary_hits", [])
        hits.append((tokens[idx].content, tokens[idx].meta["term"]))
        return _placeholder(env, "g", len(hits) - 1)

    md.add_render_rule("citation", render_citation)
    md.add_render_rule("glossary", render_glossary)
    md.core.ruler.after("inline", "tighten_citations", _tighten_citations)
    md.core.ruler.after("tighten_citations", "glossary", _glossary_rule)
    _clamp_headings(md)
    return md


PARSER = _build_parser()


def _new_env(glossary: Glossary | None) -> dict:
    """A rendering's state, with the secret its placeholders carry."""
    return {"glossary": glossary, "placeholder_secret": secrets.token_hex(16)}


def _placeholder(env: dict, kind: str, index: int) -> str:
    return f"{PLACEHOLDER_OPEN}{env['placeholder_secret']}{kind}{index}{PLACEHOLDER_CLOSE}"


def _markers(
    keys: Sequence[str],
    registry: CitationRegistry,
    card_url: Callable[[str], str] | None,
    prefix: str = "",
    paper: bool = False,
) -> str:
    parts = []
    for key in keys:
        number = registry.number(key)
        if number is None:
            parts.append(
                '<span class="cite-broken" title="No reference has this key: editors must fix it">'
                f"[@{escape(key)}?]</span>"
            )
            continue
        if paper:  # the number as paper shows it: no link, card or id
            parts.append(str(number))
            continue
        use = registry.next_use_id()
        attrs = ""
        if card_url:
            attrs = (
                f' hx-get="{escape(card_url(key))}" hx-trigger="mouseenter once delay:120ms,'
                f' focus once" hx-target="#{prefix}cite-card-{use}" hx-swap="innerHTML"'
                f' aria-describedby="{prefix}cite-card-{use}"'
            )
        parts.append(
            f'<span class="cite-wrap"><a class="cite" href="#{prefix}ref-{number}"'
            f' id="{prefix}cite-{use}"{attrs}>'
            f'<span class="visually-hidden">{escape(registry.marker_label)} </span>{number}</a>'
            f'<span class="cite-card" id="{prefix}cite-card-{use}" role="tooltip"></span></span>'
        )
    markers = ("," if paper else '<span class="cite-sep">,</span>').join(parts)
    return f'<sup class="cites">{WORD_JOINER}{markers}{WORD_JOINER}</sup>'


def _term(
    surface: str, term, glossary: Glossary, registry: CitationRegistry, prefix: str = ""
) -> str:
    use = registry.next_use_id()
    tag = "abbr" if surface == term.abbr or (surface.isupper() and len(surface) <= 8) else "dfn"
    return (
        f'<span class="term"><a class="term-link" href="{escape(glossary.url(term))}"'
        f' aria-describedby="{prefix}term-{use}"><{tag}>{escape(surface)}</{tag}></a>'
        f'<span class="term-def" id="{prefix}term-{use}" role="tooltip">'
        f"<strong>{escape(term.title[:1].upper() + term.title[1:])}:</strong>"
        f" {escape(term.definition)}</span></span>"
    )


def _finish(
    html: str,
    env: dict,
    registry: CitationRegistry,
    card_url,
    prefix: str = "",
    paper: bool = False,
) -> Markup:
    """The safe HTML, citations and glossary terms in place; for `paper`, the numbers and the
    words alone (a printed page has no hover card, and its links lead nowhere)."""
    clean = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer"
    )
    groups = env.get("citations", [])
    hits = env.get("glossary_hits", [])
    placeholder = re.compile(
        re.escape(PLACEHOLDER_OPEN + env["placeholder_secret"])
        + "([cg])(\\d+)"
        + re.escape(PLACEHOLDER_CLOSE)
    )

    def replace(match: re.Match) -> str:
        index = int(match.group(2))
        if match.group(1) == "c":
            return _markers(groups[index], registry, card_url, prefix, paper)
        surface, term = hits[index]
        return escape(surface) if paper else _term(surface, term, env["glossary"], registry, prefix)

    # Delimiters decoded from entities are dropped, as typed ones are from the source.
    return Markup(PRIVATE_USE.sub("", placeholder.sub(replace, clean)))


def word_count(tokens) -> int:
    """Words in the inline text of parsed Markdown tokens."""
    return sum(len(t.content.split()) for t in tokens if t.type == "inline")


def render(
    text: str,
    registry: CitationRegistry,
    *,
    card_url: Callable[[str], str] | None = None,
    collapsible: bool = False,
    glossary: Glossary | None = None,
    anchor_prefix: str = "",
) -> RenderedText:
    """Render Markdown to safe HTML, numbering citations in `registry` in order of first use.

    With a glossary, the first use of each term is marked and explains itself. `anchor_prefix`
    goes before every id and `#ref-N` link made here, for text shown beside an article's own
    citations and references (follow-up answers) whose ids must not collide with them.
    """
    source = PRIVATE_USE.sub("", text)
    env = _new_env(glossary)
    tokens = PARSER.parse(source, env)
    words = word_count(tokens)
    html = _finish(
        PARSER.renderer.render(tokens, PARSER.options, env), env, registry, card_url, anchor_prefix
    )
    preview = rest = None
    if collapsible and words > LONG_SECTION_WORDS:
        cut = _preview_cut(tokens)
        if cut < len(tokens):
            # Re-rendering the first blocks reuses the numbers the full text already assigned.
            preview_env = _new_env(glossary)
            preview = _finish(
                PARSER.renderer.render(tokens[:cut], PARSER.options, preview_env),
                preview_env,
                registry,
                card_url,
                anchor_prefix,
            )
            # The blocks after the preview, for paper only: the page carries them hidden, so
            # they bring no hover card, link or id (preview and rest print the whole text).
            rest_env = _new_env(glossary)
            rest = _finish(
                PARSER.renderer.render(tokens[cut:], PARSER.options, rest_env),
                rest_env,
                registry,
                card_url,
                anchor_prefix,
                paper=True,
            )
    return RenderedText(html=html, preview_html=preview, word_count=words, rest_html=rest)


def _preview_cut(tokens) -> int:
    """Index just after the top-level block at which the preview reaches PREVIEW_WORDS."""
    words = 0
    for index, token in enumerate(tokens):
        if token.type == "inline":
            words += len(token.content.split())
        if token.level == 0 and token.nesting in (-1, 0) and token.type != "inline":
            if words >= PREVIEW_WORDS:
                return index + 1
    return len(tokens)


def citation_keys(text: str) -> list[str]:
    """Every key cited in `text`, in order, repeats included."""
    return [
        key.strip().lstrip("@")
        for match in CITATION.finditer(PRIVATE_USE.sub("", text))
        for key in match.group(1).split(";")
    ]
