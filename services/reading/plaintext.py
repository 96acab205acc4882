"""Markdown source as plain words: each block's text without markup or citations, for
readability, search documents, listing copies and the editorial checks. Parsed by the renderer's
own parser (services/reading/markdown.py), so a block here is a block on the page."""

from __future__ import annotations

from markdown_it.token import Token

from services.reading.markdown import CITED, PARSER, PRIVATE_USE


def inline_blocks(text: str) -> list[str]:
    """The Markdown source of each block's inline text, citations kept (for sentence checks)."""
    tokens = PARSER.parse(PRIVATE_USE.sub("", text), {})
    return [t.content.strip() for t in tokens if t.type == "inline" and t.content.strip()]


def plain_blocks(text: str) -> list[str]:
    """The text of each block (heading, paragraph, list item) with citations removed."""
    tokens = PARSER.parse(CITED.sub("", PRIVATE_USE.sub("", text)), {})
    return [content for token in tokens if token.type == "inline" if (content := _text(token))]


def _text(inline: Token) -> str:
    """The words of an inline token; a line break inside a paragraph separates words."""
    return "".join(
        " " if child.type in ("softbreak", "hardbreak") else child.content
        for child in inline.children or []
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    ).strip()


def plain_outline(text: str) -> tuple[list[str], list[str]]:
    """Like `plain_blocks`, with the sub-headings (`### ...`) among them also listed apart."""
    tokens = PARSER.parse(CITED.sub("", PRIVATE_USE.sub("", text)), {})
    headings, blocks = [], []
    in_heading = False
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            in_heading = token.type == "heading_open"
            continue
        if token.type != "inline":
            continue
        if content := _text(token):
            blocks.append(content)
            if in_heading:
                headings.append(content)
    return headings, blocks


def list_items(text: str) -> list[str]:
    """The plain text of each list item's first block, nested items included, in order."""
    tokens = PARSER.parse(CITED.sub("", PRIVATE_USE.sub("", text)), {})
    items, opened = [], False
    for token in tokens:
        if token.type == "list_item_open":
            opened = True
        elif token.type == "inline" and opened:
            items.append(_text(token))
            opened = False
    return items
