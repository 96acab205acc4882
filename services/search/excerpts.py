"""Excerpts as HTML: the engine's match markers become <mark>, and on another language's page
the English parts (sections with no wording in that language, indexed in English so a reader
finds every article: services.search.documents) are wrapped in `<span lang="en">`, as the
article page marks its English fallbacks, so a screen reader pronounces them as English.

Which parts are English needs no stored map: an English section stands in the translated row
exactly as the English row words it at the same level, and every section is whole lines of
the level's text. So a line of the translated text that is also a line of the English text is
English. (A translated line identical to an English one, "Ponatinib." say, counts as English:
the same letters either way.)
"""

from __future__ import annotations

from markupsafe import Markup, escape

from services.search.engine import MARK_END, MARK_START

ELLIPSIS = "…"
OPEN, CLOSE = '<span lang="en">', "</span>"


def plain(text: str | None) -> Markup:
    """Escape the excerpt, then turn the engine's markers into <mark>."""
    html = str(escape(" ".join((text or "").split())))
    return Markup(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def english_lines(text: str, english: str) -> list[tuple[int, int]]:
    """The [start, end) offsets in `text` (a translated level's text) of its lines that are
    also lines of `english` (the English row's text at that level)."""
    source = {line for line in english.split("\n") if line.strip()}
    ranges, start = [], 0
    for line in text.split("\n"):
        if line in source:
            ranges.append((start, start + len(line)))
        start += len(line) + 1
    return ranges


def _located(excerpt: str, text: str) -> tuple[int, int, int] | None:
    """Where the excerpt's own words begin in `text`, and how many characters of ellipsis the
    engine added before and after them."""
    bare = excerpt.replace(MARK_START, "").replace(MARK_END, "")
    for lead in (1, 0) if bare.startswith(ELLIPSIS) else (0,):
        for trail in (1, 0) if bare.endswith(ELLIPSIS) else (0,):
            core = bare[lead : len(bare) - trail]
            at = text.find(core) if core else -1
            if at >= 0:
                return at, lead, trail
    return None


def _flags(excerpt: str, text: str, ranges: list[tuple[int, int]]) -> list[bool] | None:
    """Per character of `excerpt`: whether it is English. Markers and added ellipses take the
    side of the word they stand by, so a <mark> never straddles a <span>."""
    found = _located(excerpt, text)
    if found is None:
        return None
    at, lead, trail = found
    english = [False] * (len(excerpt) + 1)  # the excerpt's stretch of the text, from `at`
    for start, end in ranges:
        start, end = max(start - at, 0), min(end - at, len(excerpt))
        if start < end:
            english[start:end] = [True] * (end - start)
    flags: list[bool | None] = []
    position, skipped = at, 0
    for index, char in enumerate(excerpt):
        added = char in (MARK_START, MARK_END)
        if char == ELLIPSIS and skipped < lead and position == at:
            added, skipped = True, skipped + 1
        elif char == ELLIPSIS and trail and index == len(excerpt) - 1:
            added = True
        if added:
            flags.append(None)
        else:
            flags.append(english[position - at] if position - at < len(english) else False)
            position += 1
    for index in range(len(flags)):  # an opening marker or ellipsis: the next word's side
        if flags[index] is None and excerpt[index] != MARK_END and index != len(flags) - 1:
            following = next((f for f in flags[index + 1 :] if f is not None), None)
            flags[index] = following
    previous = False
    for index, flag in enumerate(flags):  # a closing one: the previous word's side
        flags[index] = previous if flag is None else flag
        previous = flags[index]
    return flags  # type: ignore[return-value]


def marked(excerpt: str | None, text: str, ranges: list[tuple[int, int]]) -> Markup:
    """The excerpt as `plain` makes it, its English parts in `<span lang="en">`.

    `text` is the whole level text the excerpt quotes, `ranges` its English parts
    (`english_lines`). An excerpt with no English part is exactly `plain`'s.
    """
    excerpt = excerpt or ""
    flags = _flags(excerpt, text, ranges) if ranges else None
    if not flags or not any(flags):
        return plain(excerpt)
    html: list[str] = []
    state = in_mark = space = False
    for char, flag in zip(excerpt, flags, strict=True):
        if char.isspace():
            space = bool(html)
            continue
        if flag != state:
            html.append(("</mark>" if in_mark else "") + (CLOSE if state else ""))
            html.append(" " if space else "")
            html.append((OPEN if flag else "") + ("<mark>" if in_mark else ""))
            state, space = flag, False
        if space:
            html.append(" ")
            space = False
        if char == MARK_START:
            html.append("<mark>")
            in_mark = True
        elif char == MARK_END:
            html.append("</mark>")
            in_mark = False
        else:
            html.append(str(escape(char)))
    if state:
        html.append(CLOSE)
    return Markup("".join(html))
