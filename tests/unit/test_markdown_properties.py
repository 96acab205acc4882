"""Property-based tests of the Markdown renderer (Hypothesis): whatever an author types, rendering
never raises and never yields HTML outside the sanitiser's allowlist.

Text is built from Markdown-ish pieces (citations, entities including the private-use ones the
renderer's placeholders use, emphasis, links, tables, raw HTML) mixed with arbitrary characters.
Derandomized and without an example database, so a run takes a few seconds and is the same in CI
and on a laptop.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reading.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    WORD_JOINER,
    CitationRegistry,
    Glossary,
    citation_keys,
    render,
)
from services.reading.plaintext import inline_blocks, plain_blocks, plain_outline

PIECES = [
    # citations, well-formed and not
    "[@a]", "[@b; @c]", "[@missing]", "[@a;@b]", "[@", "@a]", "[", "]", "[^1]",
    # entities, the renderer's own delimiters among them
    "&#xE000;", "&#xE001;", "&#57344;", "&#57345;", "&#xe000;c0&#xe001;", "&#xE000;g0&#xE001;",
    "&#xE000;c9&#xE001;", "\ue000", "\ue001", "\ue000c0\ue001", "c0", "g1", "&amp;", "&lt;",
    "&gt;", "&quot;", "&#0;", "&#x110000;", "&#xD800;", "&nbsp;", "&bogus;", "&",
    # inline Markdown
    "*", "**", "_", "__", "`", "``", "~", "\\", "[x](https://example.org)",
    "[x](javascript:alert(1))", '[x](/a "title")', "<https://example.org>", "![i](x.png)",
    # blocks
    "\n", "\n\n", "  \n", "# ", "### ", "- ", "1. ", "3) ", "> ", "    code", "```\n", "---\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n", "| x |\n|:-:|\n",
    # raw HTML
    "<script>alert(1)</script>", '<b onclick="x">', "</p>", "<!--", "-->", '<a href="x">',
    "<img src=x onerror=alert(1)>", "<span class=cite>", "<sup>",
    # words, glossary terms among them
    " ", "word", "ACE", "aspirin", "ACE inhibitor", "Aspirin.", "'", '"',
]  # fmt: skip

markdown_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=40).map(
    "".join
)

TERMS = [
    SimpleNamespace(
        term="aspirin",
        abbr=None,
        aliases=[],
        title="aspirin",
        definition='A drug <b>"that"</b> & thins blood.',
    ),
    SimpleNamespace(
        term="angiotensin-converting enzyme",
        abbr="ACE",
        aliases=["ACE inhibitor"],
        title="ACE",
        definition="An enzyme.",
    ),
]
GLOSSARY = Glossary.build(TERMS, url=lambda term: f"/glossary/{term.term}")

# What the renderer adds itself after sanitising: citation markers and glossary terms.
MARKER_ROOTS = {("sup", "cites"), ("span", "term")}
MARKER_TAGS = {"sup", "span", "a", "abbr", "dfn", "strong"}
MARKER_ATTRIBUTES = {
    "class", "id", "href", "title", "role", "aria-describedby",
    "hx-get", "hx-trigger", "hx-target", "hx-swap",
}  # fmt: skip
VOID = {"br", "hr"}


class AllowlistChecker(HTMLParser):
    """Collects every tag or attribute outside the allowlist (the markers' own aside)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, is a marker's root)
        self.problems: list[str] = []

    @property
    def in_marker(self) -> bool:
        return any(root for _, root in self.stack)

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        values = dict(attrs)
        root = not self.in_marker and (tag, values.get("class")) in MARKER_ROOTS
        if self.in_marker or root:
            if tag not in MARKER_TAGS or names - MARKER_ATTRIBUTES:
                self.problems.append(f"marker <{tag} {sorted(names)}>")
            href = values.get("href")
            if href is not None and not href.startswith(("#", "/glossary/")):
                self.problems.append(f"marker href {href!r}")
        else:
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
            if tag not in ALLOWED_TAGS or names - allowed:
                self.problems.append(f"<{tag} {sorted(names)}>")
            href = (values.get("href") or "").strip().lower()
            if href.startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"href {href!r}")
        if tag not in VOID:
            self.stack.append((tag, root))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"unbalanced </{tag}>")
            return
        self.stack.pop()


def problems(html: str) -> list[str]:
    checker = AllowlistChecker()
    checker.feed(html)
    checker.close()
    if checker.stack:
        checker.problems.append(f"unclosed {[tag for tag, _ in checker.stack]}")
    if "\ue000" in html or "\ue001" in html:
        checker.problems.append("a placeholder delimiter reached the page")
    return checker.problems


FAST = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FAST
@given(markdown_text, st.booleans(), st.booleans())
def test_rendering_never_raises_nor_leaves_the_allowlist(text, with_glossary, with_cards):
    registry = CitationRegistry(known_keys={"a", "b", "c"})
    rendered = render(
        text,
        registry,
        card_url=(lambda key: f"/citations/{key}") if with_cards else None,
        collapsible=True,
        glossary=GLOSSARY if with_glossary else None,
        anchor_prefix="ask-1-",
    )
    assert problems(str(rendered.html)) == []
    if rendered.preview_html is not None:
        assert problems(str(rendered.preview_html)) == []


@settings(FAST, max_examples=60)
@given(markdown_text.map(lambda text: (text + " word") * 30))
def test_long_texts_render_their_preview_within_the_allowlist(text):
    rendered = render(text, CitationRegistry(known_keys={"a"}), collapsible=True, glossary=GLOSSARY)
    assert problems(str(rendered.html)) == []
    assert rendered.preview_html is None or problems(str(rendered.preview_html)) == []


@FAST
@given(markdown_text)
def test_text_helpers_never_raise(text):
    assert isinstance(citation_keys(text), list)
    assert isinstance(inline_blocks(text), list)
    assert isinstance(plain_blocks(text), list)
    headings, blocks = plain_outline(text)
    assert set(headings) <= set(blocks)


def test_checker_catches_what_it_guards():
    """The property is only as good as its checker: it refuses what must not pass."""
    assert problems("<p><script>x</script></p>")
    assert problems('<p onclick="x">a</p>')
    assert problems('<a href="javascript:alert(1)">x</a>')
    assert problems("<p>\ue000c0\ue001</p>")
    assert problems('<span class="cite">x</span>')
    assert problems('<sup class="cites"><img src="x"></sup>')
    assert not problems(
        '<p>a<sup class="cites"><span class="cite-wrap"><a class="cite" href="#ref-1">1</a>'
        "</span></sup></p>"
    )


# Citation markers hug their text (issue 15: "(CML) ¹ ." on a phone). Text made of words,
# punctuation, spaces, line breaks, emphasis and citations, in any order.
HUGGING_PIECES = [
    "word", "(CML)", "5%", "“quoted”", " ", "  ", "\n", "  \n", "\t", "&nbsp;", "&#32;", ".", ",",
    ";", ":", ")", "(", "!", "?", "*", "**", "_", "`x`", "[x](/a)", "- ", "\n\n", "[@a]",
    " [@a]", "[@b; @c]", " [@missing]", "[@a] .", "[@a]\n,",
]  # fmt: skip
hugging_text = st.lists(st.sampled_from(HUGGING_PIECES), max_size=30).map("".join)

MARKER = "\x00"  # a citation marker, in the text as a reader's browser lays it out
BLOCK_EDGE = "\x01"  # where one block ends and another begins: no line to share
BLOCK_TAGS = {"p", "li", "ul", "ol", "h3", "h4", "blockquote", "table", "tr", "td", "th", "br",
              "hr", "thead", "tbody", "pre"}  # fmt: skip


class LaidOutText(HTMLParser):
    """The text of rendered HTML as it flows: each marker one MARKER, each block edge one
    BLOCK_EDGE, every other tag gone, entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0  # inside a marker

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in VOID
        elif tag == "sup" and dict(attrs).get("class") == "cites":
            self.depth = 1
            self.parts.append(MARKER)
        elif tag in BLOCK_TAGS:
            self.parts.append(BLOCK_EDGE)

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
        elif tag in BLOCK_TAGS:
            self.parts.append(BLOCK_EDGE)

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def laid_out(html: str) -> str:
    parser = LaidOutText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def gaps_around_markers(html: str) -> list[str]:
    """Whitespace between a word and its marker, or between a marker and the punctuation after."""
    text = laid_out(html)
    found = [m.group() for m in re.finditer(rf"[^\s{BLOCK_EDGE}]\s+{MARKER}", text)]
    found += [m.group() for m in re.finditer(rf"{MARKER}\s+[.,;:!?)]", text)]
    return found


@FAST
@given(hugging_text, st.booleans())
def test_markers_hug_the_word_before_and_the_punctuation_after(text, with_glossary):
    rendered = render(
        text,
        CitationRegistry(known_keys={"a", "b", "c"}),
        card_url=lambda key: f"/citations/{key}",
        glossary=GLOSSARY if with_glossary else None,
    )
    html = str(rendered.html)
    assert gaps_around_markers(html) == []
    # No line may break on either side of a marker: a word joiner holds it to its neighbours.
    markers = re.findall(r'<sup class="cites">(.*?)</sup>', html, re.S)
    assert len(markers) == html.count('<sup class="cites">')
    assert all(m.startswith(WORD_JOINER) and m.endswith(WORD_JOINER) for m in markers)


def test_gap_check_finds_what_it_guards():
    marker = '<sup class="cites">\u20601\u2060</sup>'
    assert gaps_around_markers(f"<p>(CML) {marker} .</p>") == [") \x00", "\x00 ."]
    assert gaps_around_markers(f"<p>word\n{marker}</p>")
    assert gaps_around_markers(f"<p><em>word </em>{marker}</p>")
    assert not gaps_around_markers(f"<p>(CML){marker}. Next{marker} word</p>")
    assert not gaps_around_markers(f"<p>a</p>\n<p>{marker} b</p>")


def test_the_source_format_renders_tight():
    """FORMAT.md's `text [@key].`, and the ways authors slip: a line break or a space before
    the full stop."""
    registry = CitationRegistry(known_keys={"a"})
    for source in ["Chronic myeloid leukemia (CML) [@a].", "(CML)\n[@a].", "(CML) [@a] ."]:
        html = str(render(source, registry).html)
        assert f'(CML)<sup class="cites">{WORD_JOINER}' in html, source
        assert f"{WORD_JOINER}</sup>.</p>" in html, source


def _marked(text: str, glossary: Glossary) -> list[tuple[str, str]]:
    out = str(render(text, CitationRegistry(known_keys=set()), glossary=glossary).html)
    return re.findall(r'href="/glossary/([^"]+)"[^>]*><(?:dfn|abbr)>([^<]+)<', out)


@settings(FAST, max_examples=150)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzáéíóúñü", min_size=2, max_size=12))
def test_a_lower_case_alias_matches_capitalised_and_an_acronym_only_as_written(word):
    """A word alias and another term's acronym of the same letters ("all", "ALL") stay two
    terms, whichever starts the sentence; other capitalisations are neither."""
    alias = SimpleNamespace(term="word-term", abbr="", aliases=[word], title="", definition="")
    acronym = SimpleNamespace(
        term="acronym-term", abbr=word.upper(), aliases=[], title="", definition=""
    )
    glossary = Glossary.build([alias, acronym], url=lambda term: f"/glossary/{term.term}")
    capitalised = word[0].upper() + word[1:]
    assert _marked(f"{capitalised} here.", glossary) == [("word-term", capitalised)]
    assert _marked(f"Then {word} here.", glossary) == [("word-term", word)]
    assert _marked(f"{word.upper()} here.", glossary) == [("acronym-term", word.upper())]
    assert _marked(f"{word[:-1]}{word[-1].upper()} here.", glossary) == []
