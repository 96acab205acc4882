"""The Spanish editor in Chromium: switch to Spanish, type, the preview shows Spanish with its ease,
save, mark a lagging translation as still current; the three levels of one language side by
side at 1440 px; axe and a 390 px phone on the new staff screens."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from extensions import db
from models import Article, ReadingLevel, Role
from services.staff.accounts import create_user
from tests.browser.helpers import assert_no_horizontal_scroll
from tests.browser.staff import sign_in, staff_on
from tests.browser.test_accessibility import assert_no_serious_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LAGGING = "tumor-lysis-syndrome-prevention"  # the demo's translation of older English
TYPED = "Frase escrita en el navegador."


@pytest.fixture
def people(live_app, live_demo):
    with staff_on(live_app) as emails:
        with live_app.app_context():
            create_user(
                email="ada.admin@example.org",
                role=Role.ADMIN,
                name="Ada Admin",
                credentials="",
                password=PASSWORD,
            )
            db.session.commit()
            db.session.remove()
        yield {**emails, "ada": "ada.admin@example.org"}


def _article(live_app, slug: str):
    with live_app.app_context():
        article = db.session.scalar(sa.select(Article).where(Article.slug == slug))
        revision = article.latest_revision
        found = (
            article.id,
            revision.number,
            {
                (s.position, w.level): (w.body, w.source_revision_id == revision.id)
                for s in revision.sections
                for w in s.translations
            },
        )
        db.session.remove()
    return found


def test_spanish_editor_type_preview_save_and_mark_still_current(page, live_app, people):
    sign_in(page, people["erin"])
    article_id, number, before = _article(live_app, LAGGING)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/admin/articles/{article_id}/edit")
    page.get_by_role("button", name="Spanish", exact=True).click()
    expect(page.get_by_role("button", name="Spanish", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    # The three levels of one language side by side.
    first = page.locator(".section-editor").first
    boxes = [
        first.locator(f"textarea[data-level={lv}]") for lv in ("clinical", "standard", "plain")
    ]
    tops = [round(b.bounding_box()["y"]) for b in boxes]
    assert len(set(tops)) == 1, tops
    expect(page.get_by_text("the English has changed since").first).to_be_visible()

    # The lagging translation needs no change: one click marks it, back in the Spanish editor.
    page.get_by_role("button", name=re.compile("^Mark as still current")).first.click()
    expect(page).to_have_url(re.compile(r"/edit\?language=es$"))
    expect(page.get_by_text("follows the current English").first).to_be_visible()
    _id, marked, _after = _article(live_app, LAGGING)
    assert marked == number + 1
    number = marked
    first = page.locator(".section-editor").first

    # Type Spanish: the preview shows it, in Spanish, with its ease.
    plain = first.locator("textarea[data-level=plain]")
    plain.press("Control+End")
    plain.press_sequentially(f" {TYPED}", delay=5)
    page.get_by_role("radio", name=re.compile("plain", re.I)).check()
    panel = page.locator("#preview-panel")
    expect(panel).to_contain_text(TYPED, timeout=10_000)
    expect(panel).to_contain_text("Reading ease of each Spanish text")
    expect(panel.locator(".preview-frame")).to_have_attribute("lang", "es")

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text("Saved revision")
    expect(page).to_have_url(re.compile(r"language=es$"))
    _id, saved_number, after = _article(live_app, LAGGING)
    assert saved_number == number + 1
    assert after[(0, ReadingLevel.PLAIN)][0].endswith(TYPED)
    assert after[(0, ReadingLevel.PLAIN)][1]  # changed text follows this revision's English


def test_new_staff_screens_pass_axe_and_fit_a_phone(page, live_app, people):
    axe = Axe()
    sign_in(page, people["ada"])
    article_id, _number, _before = _article(live_app, LAGGING)
    for path in (
        f"/admin/articles/{article_id}/edit?language=es",
        "/admin/?show=translations_behind",
        "/admin/settings/languages",
        "/admin/settings/languages/es",
    ):
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(path)
        assert_no_serious_violations(axe, page)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(path)
        assert_no_horizontal_scroll(page, 390, path)


def test_a_section_added_in_place_starts_without_translations(page, live_app, people):
    sign_in(page, people["erin"])
    article_id, _number, _before = _article(live_app, LAGGING)
    page.goto(f"/admin/articles/{article_id}/edit")
    page.get_by_role("button", name="Add a section").click()
    added = page.locator(".section-editor").last
    values = added.locator(".translation-store textarea").evaluate_all(
        "boxes => boxes.map(b => b.value)"
    )
    assert values and all(v == "" for v in values), values
    names = added.locator(".translation-store textarea").evaluate_all(
        "boxes => boxes.map(b => b.name)"
    )
    count = page.locator(".section-editor").count()
    assert all(n.startswith(f"sections-{count - 1}-tr-") for n in names), names
