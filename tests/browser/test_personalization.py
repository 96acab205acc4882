""" "Which best describes you?" in a real browser: the wording swaps in place, and stays chosen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SEED, answer_opening, article, first_long_section

pytestmark = pytest.mark.browser

ROLES = [
    ("Patient or caregiver", "patient", "plain", "patients and caregivers"),
    ("Student", "student", "standard", "students, nurses"),
    ("Nurse, pharmacist or allied health professional", "allied", "standard", "students, nurses"),
    ("Physician or advanced practice clinician", "physician", "clinical", "physicians"),
]


def answer_text(page) -> str:
    return page.locator(".answer").inner_text()


def test_each_role_swaps_the_wording_in_place(page):
    page.set_viewport_size({"width": 1280, "height": 1600})  # the picker in view: no auto-scroll
    page.goto(article(SEED))
    page.evaluate("window.__noReload = true")
    status = page.locator("#audience-status")
    expect(status).to_have_attribute("role", "status")
    seen = {}
    picker_top = page.locator("#personalize").bounding_box()["y"]
    for label, key, level, spoken in ROLES:
        with page.expect_response(lambda r: "role=" in r.url):
            page.get_by_label(label).check()
        expect(status).to_contain_text(f"Showing wording for {spoken}")
        assert page.url.endswith(f"?audience={level}"), page.url
        assert page.evaluate("window.__noReload") is True, "the page reloaded"
        assert page.evaluate("document.activeElement.id") == f"role-{key}", "focus left the picker"
        assert page.locator("#article-body").count() == 1
        assert page.locator("#personalize").bounding_box()["y"] == picker_top, "the page jumped"
        seen[level] = answer_text(page)
    assert seen["plain"] != seen["clinical"]
    assert seen["plain"] != seen["standard"]
    # Plain wording explains its terms; clinical wording does not need to.
    page.get_by_label("Patient or caregiver").check()
    expect(page.locator("#article-body .term").first).to_be_visible()
    expect(page.locator(".reading-level")).to_contain_text("Reading level: about grade")


def test_back_and_refresh_show_the_chosen_wording(page):
    page.goto(article(SEED))
    clinical = answer_text(page)
    page.get_by_label("Patient or caregiver").check()
    expect(page.locator("#audience-status")).to_contain_text("patients and caregivers")
    plain = answer_text(page)

    page.reload()
    assert page.url.endswith("?audience=plain")
    assert answer_text(page) == plain
    expect(page.get_by_label("Patient or caregiver")).to_be_checked()

    page.get_by_label("Physician or advanced practice clinician").check()
    expect(page.locator("#audience-status")).to_contain_text("physicians")
    assert answer_text(page) == clinical
    page.go_back()
    page.wait_for_url("**?audience=plain")
    expect(page.locator("h1")).to_be_visible()  # a whole page, never a bare fragment
    expect(page.locator(".site-header")).to_be_visible()
    assert answer_text(page) == plain


def test_choice_is_kept_on_the_next_article(page):
    page.goto(article(SEED))
    page.get_by_label("Patient or caregiver").check()
    expect(page.locator("#audience-status")).to_contain_text("patients and caregivers")
    page.goto(article("ph-positive-all-tki"))
    expect(page.get_by_label("Patient or caregiver")).to_be_checked()
    expect(page.locator("#audience-status")).to_contain_text("patients and caregivers")


def test_keyboard_only_reader_can_choose(page):
    page.goto(article(SEED))
    page.get_by_label("Patient or caregiver").focus()
    page.keyboard.press("Space")
    expect(page.locator("#audience-status")).to_contain_text("patients and caregivers")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#audience-status")).to_contain_text("students")
    assert page.evaluate("document.activeElement.id") == "role-student"
    assert page.url.endswith("?audience=standard")


def test_without_javascript_the_picker_is_a_form(nojs_page):
    page = nojs_page
    page.goto(article(SEED))
    clinical = answer_text(page)
    page.get_by_label("Student").check()
    page.get_by_role("button", name="Show this wording").click()
    page.wait_for_url("**?audience=standard")
    expect(page.get_by_label("Student")).to_be_checked()
    assert answer_text(page) != clinical


def test_glossary_term_opens_and_closes_by_keyboard(page):
    page.goto(article(SEED, audience="plain"))
    term = page.locator("#article-body .term").first
    definition = term.locator(".term-def")
    expect(definition).to_be_hidden()
    term.locator("a.term-link").focus()
    expect(definition).to_be_visible()
    page.keyboard.press("Escape")
    expect(definition).to_be_hidden()


# After a swap: the new body works like the page it replaced, and history keeps step.
PLAIN_URL = re.compile(rf"/articles/{SEED}\?audience=plain$")
CLINICAL_URL = re.compile(rf"/articles/{SEED}$")


def choose_patient(page) -> str:
    """Open the seed article, choose "Patient or caregiver"; return the clinical opening."""
    page.goto(article(SEED))
    clinical = answer_opening(page)
    page.evaluate(
        "window.__marker = 1; document.getElementById('audience-status').__original = true"
    )
    page.get_by_label("Patient or caregiver").check()
    expect(page).to_have_url(PLAIN_URL)
    expect(page.locator(".answer")).not_to_contain_text(clinical)
    return clinical


def test_swapped_in_wording_works_like_the_page_it_replaced(page):
    choose_patient(page)

    # The live region is updated, not replaced, so screen readers announce the change.
    expect(page.locator("#audience-status")).to_have_text(
        "Showing wording for patients and caregivers."
    )
    assert page.evaluate("document.getElementById('audience-status').__original === true")
    # Its section toggles keep the plain wording, and its citation cards open.
    anchor = first_long_section(page)
    toggle = page.locator(f"#{anchor}-toggle")
    expect(toggle).to_have_attribute("hx-get", re.compile(r"audience=plain"))
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"#{anchor}-body .term").first).to_be_attached()  # still plain wording
    page.locator(".answer a.cite").first.hover()
    expect(page.locator(".answer .cite-card").first).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping"


def test_back_and_forward_keep_the_picker_and_the_wording_in_step(page):
    clinical = choose_patient(page)

    page.go_back()
    expect(page).to_have_url(CLINICAL_URL)
    expect(page.locator(".answer")).to_contain_text(clinical)
    expect(page.locator("#audience-status")).to_contain_text("Showing clinical wording")

    page.go_forward()
    expect(page).to_have_url(PLAIN_URL)
    expect(page.locator("#audience-status")).to_contain_text("patients and caregivers")
    expect(page.get_by_label("Patient or caregiver")).to_be_checked(timeout=1_000)


def test_rapid_choices_end_on_the_last_one(page):
    page.goto(article(SEED))
    clinical = answer_text(page)
    page.get_by_label("Patient or caregiver").check()
    expect(page.locator("#audience-status")).to_contain_text("patients")
    for _ in range(3):  # patient -> student -> allied -> physician, without waiting
        page.keyboard.press("ArrowDown")
    expect(page.locator("#audience-status")).to_contain_text("physicians")
    page.wait_for_url("**?audience=clinical")
    assert answer_text(page) == clinical
    expect(page.get_by_label("Physician or advanced practice clinician")).to_be_checked()


def test_the_related_cards_change_wording_with_the_picker(page):
    """Issue 15: the related cards kept the clinical short answer after a patient chose their
    wording. The picker's swap brings them along (out of band), with no console error."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(article(SEED))
    card = page.locator("#related .card", has_text="tumor lysis syndrome").locator(".card-summary")
    clinical = card.inner_text()
    with page.expect_response(lambda r: "role=" in r.url):
        page.get_by_label("Patient or caregiver").check()
    expect(card).not_to_have_text(clinical)
    expect(card).to_contain_text("can happen when chemo")
    link = page.locator("#related .card-title", has_text="tumor lysis syndrome")
    expect(link).to_have_attribute("href", re.compile(r"\?audience=plain$"))
    assert page.locator("#related").count() == 1 and errors == []
