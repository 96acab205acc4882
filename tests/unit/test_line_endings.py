"""Text typed in a browser arrives with CRLF line breaks; it must compare equal to saved text."""

from models import ReadingLevel, SectionKind
from services.editorial.diffing import word_diff
from services.editorial.revisions import SectionInput, save_revision
from tests.factories import make_article


def test_saved_text_keeps_lf_line_breaks(app):
    article = make_article(status="draft")
    body = "- First point.\r\n- Second point.\r\n\r\nA paragraph.\rEnd."
    revision = save_revision(
        article,
        author=None,
        question="Q?",
        sections=[SectionInput(SectionKind.SUMMARY, "Short answer", {ReadingLevel.CLINICAL: body})],
    )
    saved = revision.sections[0].variants[0].body
    assert saved == "- First point.\n- Second point.\n\nA paragraph.\nEnd."


def test_line_endings_alone_are_no_difference():
    chunks = word_diff("One line.\nTwo lines.", "One line.\r\nTwo lines.")
    assert [c.op for c in chunks] == ["equal"]
