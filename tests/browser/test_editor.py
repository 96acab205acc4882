"""The editor in Chromium with CSRF on: editing with the live preview, citing, saving and
submitting; sections moved in place; the same without JavaScript; a session lost mid-edit; axe
and a 390 px phone on every editorial screen."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from extensions import db
from models import Article, ReadingLevel, ReviewStatus
from tests.browser.helpers import APPROVED, assert_no_horizontal_scroll
from tests.browser.staff import sign_in, staff_on
from tests.browser.test_accessibility import assert_no_serious_violations

pytestmark = pytest.mark.browser

GUIDELINES = "From the Guidelines — clinical wording"
TYPED = "Test sentence typed in the browser."


@pytest.fixture
def people(live_app, live_demo):
    with staff_on(live_app) as emails:
        yield emails


def article_id(live_app, slug: str = APPROVED) -> int:
    with live_app.app_context():
        found = db.session.scalar(sa.select(Article.id).where(Article.slug == slug))
        db.session.remove()
    return found


def latest(live_app, slug: str = APPROVED):
    """(number, status, change note, headings, guidelines clinical text) of the latest revision."""
    with live_app.app_context():
        article = db.session.scalar(sa.select(Article).where(Article.slug == slug))
        revision = article.latest_revision
        guidelines = next(s for s in revision.sections if s.kind.value == "guidelines")
        found = (
            revision.number,
            revision.status,
            revision.change_note,
            [s.heading for s in revision.sections],
            guidelines.variant(ReadingLevel.CLINICAL).body,
        )
        db.session.remove()
    return found


def section_button(page, action: str, section: str):
    """A section's Move/Remove button; its section name is hidden text after a colon."""
    return page.get_by_role("button", name=re.compile(rf"^{action}\s*:\s*{re.escape(section)}$"))


def mark_page(page) -> None:
    """A flag that only survives if the page is never reloaded."""
    page.evaluate("window.notReloaded = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.notReloaded === true")


def test_edit_preview_cite_save_and_submit(page, live_app, people):
    sign_in(page, people["erin"])
    page.goto(f"/admin/articles/{article_id(live_app)}")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit article")
    mark_page(page)

    # Typing updates the preview beside the text, as readers will see it, without a reload.
    box = page.get_by_label(GUIDELINES)
    box.press("Control+End")
    box.press_sequentially(f"\n\n{TYPED}", delay=5)
    preview = page.locator("#preview-panel")
    expect(preview.locator("#article-body")).to_contain_text(TYPED)
    assert not_reloaded(page)

    # The citation helper finds a reference and inserts it where the cursor is.
    page.get_by_label("Author, title, key, DOI or PMID").fill("ponatinib propensity")
    result = page.locator("#cite-results .cite-item").filter(has_text="[@sasaki2016]")
    expect(result).to_have_count(1)
    box.press("Control+End")
    result.get_by_role("button", name="Insert [@sasaki2016]").click()
    expect(box).to_have_value(re.compile(re.escape(TYPED) + r" \[@sasaki2016\]$"))
    expect(page.locator("#editor-announce")).to_contain_text("Inserted [@sasaki2016]")
    # ...and the preview numbers it with the article's other citations.
    cited = preview.locator(".section-body p", has_text=TYPED).locator("a.cite")
    expect(cited).to_have_count(1)
    assert re.fullmatch(r"Reference\s+\d+", cited.inner_text().strip())
    assert not_reloaded(page)

    # A plain-language preview is one click away.
    page.get_by_role("radio", name="Plain language").check()
    expect(preview.locator("#reading-title")).to_contain_text("plain language")

    # Save: a new draft revision with its note; then submit it from the article's page.
    page.get_by_label("Change note").fill("Browser test edit")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash")).to_have_text("Saved revision 2 as a draft.")
    number, status, note, _headings, text = latest(live_app)
    assert (number, status, note) == (2, ReviewStatus.DRAFT, "Browser test edit")
    assert text.endswith(f"{TYPED} [@sasaki2016]")
    expect(page.get_by_label(GUIDELINES)).to_have_value(re.compile(re.escape(TYPED)))

    page.get_by_role("link", name="Article page").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash")).to_have_text("Submitted revision 2 for review.")
    assert latest(live_app)[1] == ReviewStatus.SUBMITTED
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)


def test_save_and_submit_from_the_editor_by_keyboard(page, live_app, people):
    sign_in(page, people["erin"])
    page.goto(f"/admin/articles/{article_id(live_app)}/edit")
    box = page.get_by_label(GUIDELINES)
    box.press("Control+End")
    box.press_sequentially(f"\n\n{TYPED}", delay=5)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash")).to_have_text("Saved revision 2 as a draft.")

    # The saved draft, unchanged, is offered as it is; a change makes the button say it saves.
    submit = page.locator('button[value="save-submit"]')
    expect(submit).to_have_accessible_name("Submit for review")
    expect(submit).to_have_accessible_description(re.compile("Medical Advisory Board"))
    box = page.get_by_label(GUIDELINES)
    box.press("Control+End")
    box.press_sequentially(" More.", delay=5)
    expect(submit).to_have_accessible_name("Save and submit for review")
    page.get_by_label("Change note").fill("Typed, then sent")
    submit.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_have_text("Saved revision 3 and submitted it for review.")
    number, status, note, _headings, text = latest(live_app)
    assert (number, status, note) == (3, ReviewStatus.SUBMITTED, "Typed, then sent")
    assert text.endswith(f"{TYPED} More.")

    # Pressing it again with nothing changed is refused, says why, and keeps the text.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Change note").fill("Nothing new")
    page.get_by_role("button", name="Save and submit for review").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing has changed since revision 3")
    expect(alert).to_contain_text("Nothing was saved or submitted")
    expect(page.get_by_label("Change note")).to_have_value("Nothing new")
    assert latest(live_app)[:2] == (3, ReviewStatus.SUBMITTED)


def test_save_and_submit_works_without_javascript(nojs_page, live_app, people):
    page = nojs_page
    sign_in(page, people["erin"])
    page.goto(f"/admin/articles/{article_id(live_app)}/edit")
    box = page.get_by_label(GUIDELINES)
    box.fill(box.input_value() + f"\n\n{TYPED}")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator(".flash")).to_have_text("Saved revision 2 and submitted it for review.")
    number, status, _note, _headings, text = latest(live_app)
    assert (number, status) == (2, ReviewStatus.SUBMITTED)
    assert text.endswith(TYPED)


def test_sections_move_in_place_and_the_order_is_saved(page, live_app, people):
    sign_in(page, people["erin"])
    page.goto(f"/admin/articles/{article_id(live_app)}/edit")
    mark_page(page)
    section_button(page, "Move down", "From the Guidelines").click()
    assert not_reloaded(page)
    # Focus stays on the button that moved, and the names follow the new order.
    expect(section_button(page, "Move down", "From the Guidelines")).to_be_focused()
    expect(page.locator("#editor-announce")).to_contain_text(
        "Moved From the Guidelines to position 3 of 5."
    )
    legends = page.locator(".section-editor legend").all_inner_texts()
    assert legends[1:3] == ["Section 2: From the FDA Drug Label", "Section 3: From the Guidelines"]
    expect(page.locator("#sections-2-heading")).to_have_value("From the Guidelines")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash")).to_contain_text("as a draft")
    assert latest(live_app)[3] == [
        "Short answer",
        "From the FDA Drug Label",
        "From the Guidelines",
        "From the Research",
        "Questions to ask your care team",
    ]


def test_a_section_is_added_and_removed_in_place(page, live_app, people):
    sign_in(page, people["erin"])
    page.goto(f"/admin/articles/{article_id(live_app)}/edit")
    mark_page(page)
    page.get_by_role("button", name="Add a section").click()
    assert not_reloaded(page)
    expect(page.locator(".section-editor")).to_have_count(6)
    expect(page.locator("#sections-5-heading")).to_be_focused()
    # Choosing a kind names the new section after it; its boxes are labelled by that name.
    page.get_by_label("Kind").last.select_option("other")
    page.locator("#sections-5-heading").fill("Test section")
    expect(page.get_by_label("Test section — plain language")).to_have_value("")
    page.get_by_label("Test section — plain language").fill("Test words in plain language.")
    # Removing a section with text asks first.
    page.once("dialog", lambda dialog: dialog.accept())
    section_button(page, "Remove", "From the FDA Drug Label").click()
    expect(page.locator(".section-editor")).to_have_count(5)
    assert not_reloaded(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash")).to_have_text("Saved revision 2 as a draft.")
    assert latest(live_app)[3] == [
        "Short answer",
        "From the Guidelines",
        "From the Research",
        "Questions to ask your care team",
        "Test section",
    ]


def test_the_editor_works_without_javascript(nojs_page, live_app, people):
    page = nojs_page
    sign_in(page, people["erin"])
    page.goto(f"/admin/articles/{article_id(live_app)}/edit")
    box = page.get_by_label(GUIDELINES)
    box.fill(box.input_value() + f"\n\n{TYPED}")
    # The section buttons are plain submit buttons: the page comes back with the text as typed.
    section_button(page, "Move up", "From the Guidelines").click()
    expect(page.locator(".section-editor legend").first).to_have_text(
        "Section 1: From the Guidelines"
    )
    expect(page.get_by_label(GUIDELINES)).to_have_value(re.compile(re.escape(TYPED)))
    # The preview updates with a button.
    page.get_by_role("button", name="Update preview").click()
    expect(page.locator("#preview-panel #article-body")).to_contain_text(TYPED)
    page.get_by_label("Change note").fill("Saved without JavaScript")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash")).to_have_text("Saved revision 2 as a draft.")
    number, _status, note, headings, text = latest(live_app)
    assert (number, note, headings[0]) == (2, "Saved without JavaScript", "From the Guidelines")
    assert text.endswith(TYPED)


def test_a_session_lost_mid_edit_loses_nothing(new_context, live_app, people):
    context = new_context()
    page = context.new_page()
    sign_in(page, people["erin"])
    page.goto(f"/admin/articles/{article_id(live_app)}/edit")
    # Signed out in another tab while this one has unsaved text.
    other = context.new_page()
    other.goto("/admin/")
    other.get_by_role("button", name="Sign out").click()
    expect(other.locator(".flash")).to_contain_text("You are signed out")
    box = page.get_by_label(GUIDELINES)
    box.press("Control+End")
    box.press_sequentially(f" {TYPED}", delay=5)
    # The preview says so instead of leaving the page.
    expect(page.locator("#preview-panel")).to_contain_text("You are signed out")
    expect(page).to_have_url(re.compile(r"/edit$"))
    page.get_by_label("Change note").fill("Kept across a sign-in")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#signed-out")).to_contain_text("nothing was saved yet")
    expect(page.get_by_label(GUIDELINES)).to_have_value(re.compile(re.escape(TYPED)))
    expect(page.get_by_label("Change note")).to_have_value("Kept across a sign-in")
    # Sign in again in a new tab, come back, save.
    with context.expect_page() as opened:
        page.get_by_role("link", name="Sign in again (opens a new tab)").click()
    sign_in(opened.value, people["erin"])
    page.bring_to_front()
    # Signing in starts a fresh session with a fresh token, so this page's form has expired:
    # the editor says so, keeps every word, and carries the new token.
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_contain_text("This page had expired")
    expect(page.get_by_label(GUIDELINES)).to_have_value(re.compile(re.escape(TYPED)))
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash")).to_have_text("Saved revision 2 as a draft.")
    number, _status, note, _headings, text = latest(live_app)
    assert (number, note) == (2, "Kept across a sign-in")
    assert text.endswith(TYPED)


def test_a_conflict_shows_both_sides_and_nothing_is_overwritten(new_context, live_app, people):
    erin = new_context().new_page()
    sign_in(erin, people["erin"])
    ravi = new_context().new_page()
    sign_in(ravi, people["ravi"])
    path = f"/admin/articles/{article_id(live_app)}/edit"
    erin.goto(path)
    ravi.goto(path)
    ravi_box = ravi.get_by_label(GUIDELINES)
    ravi_box.fill(ravi_box.input_value() + "\n\nTest sentence from the second editor.")
    ravi.get_by_role("button", name="Save draft").click()
    expect(ravi.locator(".flash")).to_contain_text("as a draft")

    erin_box = erin.get_by_label(GUIDELINES)
    erin_box.fill(erin_box.input_value() + f"\n\n{TYPED}")
    erin.get_by_role("button", name="Save draft").click()
    conflict = erin.locator("#conflict")
    expect(conflict).to_contain_text("Ravi Reviewer saved revision 2 while you were editing")
    expect(conflict.locator("ins").filter(has_text="second editor")).to_have_count(1)
    expect(conflict.locator("ins").filter(has_text="typed in the browser")).to_have_count(1)
    expect(erin.get_by_label(GUIDELINES)).to_have_value(re.compile(re.escape(TYPED)))
    # Erin merges Ravi's sentence in and saves on top of his revision.
    erin_box = erin.get_by_label(GUIDELINES)
    erin_box.fill(erin_box.input_value() + "\n\nTest sentence from the second editor.")
    erin.get_by_role("button", name="Save draft").click()
    expect(erin.locator(".flash")).to_have_text("Saved revision 3 as a draft.")
    text = latest(live_app)[4]
    assert TYPED in text and "second editor" in text


# -- Accessibility and phones -----------------------------------------------------------


def staff_paths(live_app) -> dict[str, str]:
    article = article_id(live_app)
    with live_app.app_context():
        revision = db.session.scalar(
            sa.select(Article.latest_revision_id).where(Article.id == article)
        )
        db.session.remove()
    return {
        "articles": "/admin/articles",
        "article": f"/admin/articles/{article}",
        "editor": f"/admin/articles/{article}/edit",
        "new-article": "/admin/articles/new",
        "history": f"/admin/articles/{article}/history",
        "compare": f"/admin/articles/{article}/compare",
        "preview": f"/admin/revisions/{revision}/preview?audience=plain",
        "citations": "/admin/citations?q=ponatinib",
    }


def test_editorial_screens_have_no_serious_axe_violations(page, live_app, people):
    axe = Axe()
    sign_in(page, people["erin"])
    for name, path in staff_paths(live_app).items():
        response = page.goto(path)
        assert response is not None and response.status == 200, name
        expect(page.locator("h1")).to_have_count(1)
        assert_no_serious_violations(axe, page)
    # The editor after its swaps: citation results and a refreshed preview.
    page.goto(staff_paths(live_app)["editor"])
    page.get_by_label("Author, title, key, DOI or PMID").fill("ponatinib")
    expect(page.locator("#cite-results .cite-item").first).to_be_visible()
    page.get_by_label(GUIDELINES).press_sequentially(" More.", delay=5)
    page.get_by_role("radio", name="Standard wording").check()
    expect(page.locator("#reading-title")).to_contain_text("standard wording")
    assert_no_serious_violations(axe, page)


def test_editorial_screens_fit_a_phone(new_context, live_app, people):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, people["erin"])
    for name, path in staff_paths(live_app).items():
        page.goto(path)
        assert_no_horizontal_scroll(page, 390, name)
    # Moving a section in place keeps the page within the screen too.
    page.goto(staff_paths(live_app)["editor"])
    section_button(page, "Move down", "Short answer").click()
    assert_no_horizontal_scroll(page, 390, "editor after a move")


def test_on_a_wide_screen_the_levels_sit_side_by_side_and_the_preview_beside_the_text(
    new_context, live_app, people
):
    page = new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(page, people["erin"])
    page.goto(staff_paths(live_app)["editor"])
    guidelines = page.get_by_label(GUIDELINES).locator("xpath=ancestor::*[@class='levels']")
    boxes = [box.bounding_box() for box in guidelines.locator("textarea").all()]
    assert len(boxes) == 3
    # One row: the same top, left to right, none overlapping the next.
    assert len({round(box["y"]) for box in boxes}) == 1, boxes
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left["x"] + left["width"] <= right["x"], boxes
    form = page.locator("#editor-form").bounding_box()
    preview = page.locator(".preview-pane").bounding_box()
    assert preview["x"] >= form["x"] + form["width"], (form, preview)
