"""One frame for staff pages: the site header, a flashed message and the staff page start at the
same left edge and share one column, on a 1440 px screen and on a 390 px phone; reader pages keep
their reading column."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from extensions import db
from models import Article
from tests.browser.helpers import APPROVED, article, assert_no_horizontal_scroll
from tests.browser.staff import sign_in, staff_on

pytestmark = pytest.mark.browser

EDGES = """() => {
  const box = (selector) => document.querySelector(selector).getBoundingClientRect();
  const main = document.querySelector('main');
  const padding = parseFloat(getComputedStyle(main).paddingLeft);
  return {
    brand: box('.site-header .brand').left,
    flash: box('.flashes .flash').left,
    main: main.getBoundingClientRect().left + padding,
    nav: box('.staff-nav').left,
    h1: box('main h1').left,
    header: box('.site-header .wrap').width,
    flashes: box('.flashes').width,
    frame: main.getBoundingClientRect().width,
  };
}"""


@pytest.fixture
def people(live_app, live_demo):
    with staff_on(live_app) as emails:
        yield emails


def article_id(live_app) -> int:
    with live_app.app_context():
        found = db.session.scalar(sa.select(Article.id).where(Article.slug == APPROVED))
        db.session.remove()
    return found


def assert_one_frame(page, when: str) -> None:
    edges = page.evaluate(EDGES)
    lefts = {key: edges[key] for key in ("brand", "flash", "main", "nav", "h1")}
    assert max(lefts.values()) - min(lefts.values()) <= 1, f"{when}: left edges differ: {edges}"
    widths = {key: edges[key] for key in ("header", "flashes", "frame")}
    assert max(widths.values()) - min(widths.values()) <= 1, f"{when}: widths differ: {edges}"


def flash_waiting(page, form_action: str) -> None:
    """Post a staff form without following its redirect: its message waits in the session for
    the next page, whichever it is (as after any action that lands elsewhere)."""
    page.evaluate(
        """async (ending) => {
          const form = [...document.forms].find((f) => f.action.endsWith(ending));
          await fetch(form.action, {method: 'POST', body: new FormData(form), redirect: 'manual'});
        }""",
        form_action,
    )


@pytest.mark.parametrize("width", [1440, 390])
def test_brand_message_and_page_share_one_frame_on_staff_pages(
    new_context, live_app, people, width
):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, people["erin"])
    edit = f"/admin/articles/{article_id(live_app)}/edit"

    page.goto(edit)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flashes .flash")).to_contain_text("as a draft")
    expect(page.locator(".editor-page")).to_be_visible()
    assert_one_frame(page, f"editor at {width}px")
    assert_no_horizontal_scroll(page, width, "editor with a message")

    page.goto(f"/admin/articles/{article_id(live_app)}")
    flash_waiting(page, "/lock")
    page.goto("/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator(".flashes .flash")).to_contain_text("Locked")
    assert_one_frame(page, f"dashboard at {width}px")
    assert_no_horizontal_scroll(page, width, "dashboard with a message")

    if width == 1440:  # the frame is the editor's width, not the reading column
        assert page.evaluate(EDGES)["frame"] > 1300


@pytest.mark.parametrize("width", [1440, 390])
def test_reader_pages_keep_the_reading_column(new_context, width):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(article(APPROVED))
    boxes = page.evaluate(
        """() => ({
          brand: document.querySelector('.site-header .brand').getBoundingClientRect().left,
          main: document.querySelector('main').getBoundingClientRect().toJSON(),
          classes: document.body.className,
        })"""
    )
    # 62rem (992 px) centred at 1440; the whole width less nothing at 390 (1rem padding inside).
    expected = 992 if width == 1440 else width
    assert boxes["main"]["width"] == expected and boxes["classes"] == ""
    assert boxes["main"]["x"] == (width - expected) / 2
    assert boxes["brand"] == boxes["main"]["x"] + 16
