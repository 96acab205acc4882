"""How hard each demo article page reads, as a reader sees it. Prints numbers; asserts nothing
(tests/web/test_page_readability.py holds the plain pages to their target).

The page is measured whole: the text a reader sees in <main> at a reading level (the article,
its references, the review status, the picker, the follow-up box, related cards), not only the
stored wording of its sections. Flesch-Kincaid by textstat, as services/reading/readability.py
measures a section: every block (paragraph, list item, heading, label, button...) counts as a
sentence, closed with a full stop when it has none. Left out, because no reader sees them as
text: what CSS hides on screen (glossary definitions until asked for, citation cards, the
print-only note, text for screen readers only, the spam trap), decorative symbols
(`aria-hidden`), form fields' contents, and citation markers (numbers, not words; the stored
grades leave them out too).

    .venv/bin/python scripts/bench_readability.py                 # the demo content, here
    .venv/bin/python scripts/bench_readability.py --base-url http://127.0.0.1:5000
    .venv/bin/python scripts/bench_readability.py --level standard

With `--base-url` it reads a running site (another branch's, say), so before and after can be
compared on the same terms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import textstat

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEMO_SLUGS = sorted(path.stem for path in (ROOT / "demo_content" / "articles").glob("*.toml"))
TARGET = 8.0  # the plain level's target grade (the level settings' default)

# Hidden on screen by static/css/vetted.css (or by vetted.js being there, for the picker's
# no-JavaScript button), or not words at all (citation markers).
HIDDEN_CLASSES = {
    "visually-hidden", "term-def", "cite-card", "print-note", "followup-sending", "hp-field",
    "picker-submit", "cites",
}  # fmt: skip
SKIPPED_TAGS = {"script", "style", "template", "textarea", "select", "noscript"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# Elements laid out as lines of their own: each is a sentence.
BLOCKS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "td", "th", "caption",
    "blockquote", "label", "legend", "button", "summary", "figcaption", "div", "section",
    "article", "aside", "header", "footer", "nav", "ol", "ul", "dl", "table", "tr", "form",
    "fieldset", "main",
}  # fmt: skip


# Elements shown as chips or lines of their own although their tags are inline.
BLOCK_CLASSES = {"badge", "board-badge", "ref-kind", "ref-read", "ref-ids", "toggle"}
# Containers whose every child is shown apart (the topic chips).
CHIP_ROWS = {"topic-links", "meta"}


class VisibleText(HTMLParser):
    """The blocks of text a reader sees inside <main>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        # (tag, hides what it holds, its classes, shown as a block)
        self.stack: list[tuple[str, bool, set[str], bool]] = []
        self.in_main = 0

    @property
    def hidden(self) -> bool:
        return any(hides for _, hides, _, _ in self.stack)

    def _end_block(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        if tag == "main":
            self.in_main += 1
        block = (
            tag in BLOCKS
            or bool(classes & BLOCK_CLASSES)
            or bool(self.stack and self.stack[-1][2] & CHIP_ROWS)
        )
        if block or tag == "br":
            self._end_block()
        if tag in VOID:
            return
        hides = (
            tag in SKIPPED_TAGS
            or "hidden" in values
            or values.get("aria-hidden") == "true"
            or bool(HIDDEN_CLASSES & classes)
        )
        self.stack.append((tag, hides, classes, block))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            opened, _, _, block = self.stack.pop()
            if opened == tag:
                break
        if tag in BLOCKS or block:
            self._end_block()
        if tag == "main":
            self.in_main -= 1

    def handle_data(self, data):
        if self.in_main and not self.hidden:
            self.current.append(data.replace("\u2060", ""))


def visible_blocks(html: str) -> list[str]:
    """Each block of text a reader sees in the page's <main>, in order."""
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.blocks


def page_text(html: str) -> str:
    """The visible text as one passage, each block a sentence."""
    return " ".join(b if b[-1] in ".!?:" else b + "." for b in visible_blocks(html))


def page_grade(html: str) -> tuple[float, int]:
    """Flesch-Kincaid grade and word count of the visible text."""
    text = page_text(html)
    return round(textstat.flesch_kincaid_grade(text), 2), len(text.split())


def hardest_blocks(html: str, count: int = 8) -> list[tuple[float, str]]:
    """The blocks that read hardest (ten words or more), for finding what to reword."""
    graded = [
        (textstat.flesch_kincaid_grade(b if b[-1] in ".!?:" else b + "."), b)
        for b in visible_blocks(html)
        if len(b.split()) >= 10
    ]
    return sorted(graded, reverse=True)[:count]


def _pages_from_site(base_url: str, level: str) -> dict[str, str]:
    pages = {}
    for slug in DEMO_SLUGS:
        with urllib.request.urlopen(f"{base_url}/articles/{slug}?audience={level}") as response:
            pages[slug] = response.read().decode()
    return pages


def _pages_from_demo(level: str) -> dict[str, str]:
    from flask_migrate import upgrade

    from app import create_app
    from extensions import db
    from services.seeding.demo import load_demo

    folder = tempfile.mkdtemp(prefix="vetted-readability-")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench"}
    )
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        client = app.test_client()
        return {
            slug: client.get(f"/articles/{slug}?audience={level}").get_data(as_text=True)
            for slug in DEMO_SLUGS
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="read a running site instead of the demo content here")
    parser.add_argument("--level", default="plain", choices=["plain", "standard", "clinical"])
    parser.add_argument("--hardest", type=int, default=0, help="show the N hardest blocks")
    args = parser.parse_args()
    if args.base_url:
        pages = _pages_from_site(args.base_url.rstrip("/"), args.level)
    else:
        pages = _pages_from_demo(args.level)
    print(f"{args.level} article pages, visible text of <main>, Flesch-Kincaid (textstat)")
    print(f"{'article':<36}{'grade':>7}{'words':>8}")
    for slug, html in pages.items():
        grade, words = page_grade(html)
        flag = "  above target" if args.level == "plain" and grade > TARGET else ""
        print(f"{slug:<36}{grade:>7.2f}{words:>8}{flag}")
        for block_grade, block in hardest_blocks(html, args.hardest):
            print(f"    {block_grade:5.1f}  {block[:110]}")


if __name__ == "__main__":
    main()
