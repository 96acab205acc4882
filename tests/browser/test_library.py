"""The library screens in Chromium: the reference form's messages, duplicates, a new colleague's
set-password link, axe on every screen, and a 390 px phone."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from extensions import db
from models import Reference, Role, User
from tests.browser.helpers import assert_no_horizontal_scroll
from tests.browser.test_accessibility import assert_no_serious_violations
from tests.conftest import PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.browser

ADMIN = "library-admin@example.org"
EDITOR = "library-editor@example.org"
# Signed-in browser state per account, so the suite signs in once per account, not per test
# (sign-in is rate limited per address, and every test comes from 127.0.0.1).
_signed_in: dict[str, dict] = {}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def _ensure_account(live_app, email: str, role: Role) -> None:
    with live_app.app_context():
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            make_user(role=role, email=email, password=PASSWORD, name=f"Test {role.value.title()}")
            db.session.commit()
        db.session.remove()


def _sign_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


@pytest.fixture
def staff_page(new_context, live_app):
    """A page signed in as `email` (an administrator or an editor of this module)."""

    def open_as(email: str, **context_options):
        _ensure_account(live_app, email, Role.ADMIN if email == ADMIN else Role.EDITOR)
        context = new_context(storage_state=_signed_in.get(email), **context_options)
        page = context.new_page()
        page.goto("/admin/")
        if "/auth/login" in page.url:
            _sign_in(page, email)
            _signed_in[email] = context.storage_state()
        return page

    return open_as


def test_a_bad_doi_is_explained_beside_the_field_then_fixed_and_saved(staff_page):
    page = staff_page(EDITOR)
    page.goto("/admin/references")
    page.get_by_role("link", name="Add a reference").click()
    page.get_by_label("Authors").fill("Tester A, Other B")
    page.get_by_label("Title").fill("Test reference for the browser test")
    page.get_by_label("Year").fill("2024")
    page.get_by_label("DOI").fill("doi.org/10.55/test")
    page.get_by_role("button", name="Add reference").click()

    doi = page.get_by_label("DOI")
    expect(doi).to_have_attribute("aria-invalid", "true")
    expect(doi).to_have_value("doi.org/10.55/test")
    expect(page.locator("#doi-error")).to_contain_text("A DOI starts with 10.")
    expect(page.get_by_label("Title")).to_have_value("Test reference for the browser test")
    expect(page.get_by_label("Authors")).to_have_value("Tester A, Other B")
    expect(page.locator("#error-summary")).to_contain_text("DOI:")

    fixed = f"https://doi.org/10.5555/vetted-test-{uuid.uuid4().hex[:8]}"
    doi.fill(fixed)
    page.get_by_role("button", name="Add reference").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reference @tester2024")
    expect(page.locator(".flash")).to_contain_text("Cite it as [@tester2024")
    expect(page.locator(".ref-preview")).to_contain_text(fixed.removeprefix("https://doi.org/"))


def test_a_pmid_already_in_the_library_is_refused_with_a_link_to_it(staff_page, live_app):
    with live_app.app_context():
        existing = db.session.scalar(sa.select(Reference).where(Reference.pmid != "").limit(1))
        pmid, key = existing.pmid, existing.key
        db.session.remove()
    page = staff_page(EDITOR)
    page.goto("/admin/references/new")
    page.get_by_label("Title").fill("Test reference with a known PMID")
    page.get_by_label("PMID").fill(pmid)
    page.get_by_role("button", name="Add reference").click()
    expect(page.locator("#pmid-error")).to_contain_text(f"already in the library as “{key}”")
    expect(page.get_by_label("PMID")).to_have_value(pmid)
    page.locator("#pmid-error").get_by_role("link", name=f"Open “{key}”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reference @{key}")


def test_an_admin_adds_a_colleague_whose_link_works_once(staff_page, new_context):
    email = f"colleague-{uuid.uuid4().hex[:8]}@example.org"
    page = staff_page(ADMIN)
    page.goto("/admin/users")
    page.get_by_role("link", name="Add a staff member").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name").fill("Test Colleague")
    page.get_by_label("Role").select_option("reviewer")
    page.get_by_role("button", name="Add and get their link").click()
    expect(page.locator(".panel-link")).to_contain_text("Vetted sends no email")
    link = page.get_by_role("textbox", name="Link").input_value()
    assert "/auth/set-password/" in link
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    page.reload()
    expect(page.locator(".panel-link")).to_have_count(0)  # shown once

    colleague = new_context().new_page()
    colleague.goto(link)
    colleague.get_by_label("New password").fill("too short")
    colleague.get_by_label("Type it again").fill("too short")
    colleague.get_by_role("button", name="Set password").click()
    expect(colleague.locator("#password-error")).to_contain_text("at least 12 characters")
    colleague.get_by_label("New password").fill("plum harbour velvet engine")
    colleague.get_by_label("Type it again").fill("plum harbour velvet engine")
    colleague.get_by_role("button", name="Set password").click()
    expect(colleague).to_have_url(re.compile(r"/auth/login$"))
    expect(colleague.locator(".flash")).to_contain_text("Your password is set")
    response = colleague.goto(link)
    assert response is not None and response.status == 410
    expect(colleague.get_by_role("heading", level=1)).to_have_text("This link no longer works")


SCREENS = {
    "references": "/admin/references",
    "references-search": "/admin/references?q=blood&kind=research",
    "reference-form": "/admin/references/new",
    "reference": "/admin/references/1",
    "glossary": "/admin/glossary",
    "term-form": "/admin/glossary/new",
    "term-with-spanish": "/admin/glossary/1",  # the demo's first term, with its Spanish fields
    "settings": "/admin/settings",
    "users": "/admin/users",
    "new-user": "/admin/users/new",
    "audit-log": "/admin/audit",
    "library-changes": "/admin/library-changes",
    "confirm-password": "/auth/confirm?next=/admin/users",
    "change-password": "/auth/password",
}


def _first_reference_url(live_app) -> str:
    with live_app.app_context():
        reference_id = db.session.scalar(sa.select(sa.func.min(Reference.id)))
        db.session.remove()
    return f"/admin/references/{reference_id}"


@pytest.mark.parametrize("path", SCREENS.values(), ids=SCREENS.keys())
def test_screen_has_no_serious_axe_violations(staff_page, axe, live_app, path):
    if path == "/admin/references/1":
        path = _first_reference_url(live_app)
    page = staff_page(ADMIN)
    response = page.goto(path)
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_count(1)
    assert_no_serious_violations(axe, page)


def test_forms_with_messages_have_no_serious_axe_violations(staff_page, axe):
    page = staff_page(ADMIN)
    page.goto("/admin/references/new")
    page.get_by_label("DOI").fill("10.1/x")
    page.get_by_role("button", name="Add reference").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_serious_violations(axe, page)
    page.goto("/admin/audit?since=2026-02-30")
    expect(page.locator("#since-error")).to_be_visible()
    assert_no_serious_violations(axe, page)


def test_every_screen_fits_a_390px_phone(staff_page, live_app):
    page = staff_page(ADMIN, viewport={"width": 390, "height": 844})
    for name, path in SCREENS.items():
        if path == "/admin/references/1":
            path = _first_reference_url(live_app)
        page.goto(path)
        assert_no_horizontal_scroll(page, 390, name)
    page.goto("/admin/users")
    page.locator(".card-title a").first.click()
    assert_no_horizontal_scroll(page, 390, "user")


def test_search_as_you_type_swaps_the_results_and_keeps_the_address(staff_page):
    page = staff_page(EDITOR)
    page.goto("/admin/references")
    page.get_by_label("Search the library").fill("jabbour")
    expect(page.locator("#reference-results h2")).to_contain_text("found")
    expect(page).to_have_url(re.compile(r"q=jabbour"))
    expect(page.locator("#results-status")).to_contain_text("found")
    expect(page.get_by_label("Search the library")).to_be_focused()


def _pending_change(live_app) -> str:
    """A change to a reference public text cites, proposed by an editor: its review page."""
    from dataclasses import replace

    from models import LibraryChange
    from services.library.references import ReferenceInput, update_reference

    with live_app.app_context():
        reference = db.session.scalar(sa.select(Reference).where(Reference.key == "eln2024"))
        change = update_reference(
            reference,
            replace(ReferenceInput.of(reference), title="Test corrected title"),
            actor=make_user(role=Role.EDITOR),
        )
        assert isinstance(change, LibraryChange)
        db.session.commit()
        path = f"/admin/library-changes/{change.id}"
        db.session.remove()
    return path


def test_a_library_change_review_page_is_accessible_and_fits_a_phone(staff_page, axe, live_app):
    path = _pending_change(live_app)
    page = staff_page(ADMIN)
    page.goto(path)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    assert_no_serious_violations(axe, page)
    page.get_by_role("button", name="Send back").click()  # no comment: the message shows
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_serious_violations(axe, page)
    phone = staff_page(ADMIN, viewport={"width": 390, "height": 844})
    phone.goto(path)
    assert_no_horizontal_scroll(phone, 390, "library change")
