"""Staff in the live server's database, and signing them in through the real form.

The live server shares the test database: users are created with the accounts service; every
browser test starts from the demo content as first loaded (`live_demo`, tests/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from playwright.sync_api import expect

from extensions import db
from models import Role
from services.staff.accounts import create_user
from tests.conftest import PASSWORD, ensure_demo

PEOPLE = {
    "erin": ("erin.editor@example.org", "Erin Editor", "", Role.EDITOR),
    "rita": ("rita.reviewer@example.org", "Rita Reviewer", "MD, Hematology", Role.REVIEWER),
    "ravi": ("ravi.reviewer@example.org", "Ravi Reviewer", "PharmD, Oncology", Role.REVIEWER),
}


@contextmanager
def staff_on(live_app: Flask) -> Iterator[dict[str, str]]:
    """Create the staff accounts (email by short name); afterwards, the demo content as loaded."""
    with live_app.app_context():
        for email, name, credentials, role in PEOPLE.values():
            create_user(
                email=email, role=role, name=name, credentials=credentials, password=PASSWORD
            )
        db.session.commit()
        db.session.remove()
    try:
        yield {key: email for key, (email, *_rest) in PEOPLE.items()}
    finally:
        ensure_demo(live_app)


def sign_in(page, email: str) -> None:
    """Sign in through the login form; lands on the dashboard."""
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page).to_have_url(re.compile(r"/admin/$"))
