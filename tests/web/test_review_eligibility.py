"""The review page says who may not decide a revision and why; an account made or keyed by the
author cannot decide it, through the real account and set-password pages (issue 14)."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa

from extensions import db
from models import ReviewStatus, Role, User
from services.editorial import review
from services.editorial.revisions import restore_revision, save_revision
from tests.conftest import PASSWORD
from tests.factories import make_article, make_reference, make_sections, make_user

NEW_PASSWORD = "plum harbour velvet engine"


def text(response) -> str:
    words = " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())
    return unescape(re.sub(r" ([.,;:)])", r"\1", words))


def buttons(response) -> list[str]:
    return re.findall(
        r'<button type="submit"[^>]*>([^<]+)</button>', response.get_data(as_text=True)
    )


def login(client, user, password=PASSWORD):
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    assert response.status_code == 302


def person(role, name):
    return make_user(
        role=role, name=name, email=f"{name.split()[0].lower()}@example.org", password=PASSWORD
    )


def test_review_page_names_everyone_barred_and_what_they_wrote(client, app):
    make_reference("ref")
    alice = person(Role.REVIEWER, "Alice Author")
    carol = person(Role.EDITOR, "Carol Copyedit")
    dan = person(Role.REVIEWER, "Dan Doctor")
    article = make_article(status="draft", author=alice)
    save_revision(
        article, author=carol, question=article.question, sections=make_sections(guidelines="B.")
    )
    restored = restore_revision(
        article.revisions[0], actor=carol, based_on_id=article.latest_revision_id
    )
    review.submit(restored, actor=carol)
    db.session.commit()

    login(client, alice)
    page = client.get(f"/admin/review/{restored.id}")
    assert page.status_code == 200
    assert "Start review" not in buttons(page)
    words = text(page)
    assert (
        "Not eligible to decide: Alice Author (wrote revision 1; wrote revision 1, restored as "
        "revision 3), Carol Copyedit (wrote revision 2; wrote revision 3)."
    ) in words
    assert "You wrote revision 1 and wrote revision 1, restored as revision 3" in words
    refused = client.post(f"/admin/review/{restored.id}/start")
    assert refused.status_code == 403
    assert "You wrote revision 1" in text(refused)

    client.post("/auth/logout")
    login(client, dan)
    page = client.get(f"/admin/review/{restored.id}")
    assert "Start review" in buttons(page)
    assert "Not eligible to decide: Alice Author" in text(page)


def test_an_account_the_author_created_and_keyed_cannot_review_their_article(client, app):
    make_reference("ref")
    ada = person(Role.ADMIN, "Ada Admin")
    revision = make_article(status="submitted", author=ada).latest_revision
    db.session.commit()

    login(client, ada)
    added = client.post(
        "/admin/users/new",
        data={"email": "sock@example.org", "name": "Sock Puppet", "role": "reviewer"},
    )
    assert added.status_code == 302
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    link = re.search(r'value="http://localhost(/auth/set-password/[^"]+)"', page).group(1)
    client.post("/auth/logout")
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302

    sock = db.session.scalar(sa.select(User).where(User.email == "sock@example.org"))
    assert (sock.created_by_id, sock.password_set_by_id) == (ada.id, ada.id)
    login(client, sock, NEW_PASSWORD)
    page = client.get(f"/admin/review/{revision.id}")
    assert "Start review" not in buttons(page)
    assert "Ada Admin created your account and wrote part of this text" in text(page)
    refused = client.post(f"/admin/review/{revision.id}/start")
    assert refused.status_code == 403
    db.session.expire_all()
    assert revision.status == ReviewStatus.SUBMITTED


def test_a_password_reset_by_the_author_bars_the_account_too(client, app):
    make_reference("ref")
    ada = person(Role.ADMIN, "Ada Admin")
    rita = person(Role.REVIEWER, "Rita Reviewer")
    revision = make_article(status="submitted", author=ada).latest_revision
    db.session.commit()

    login(client, ada)
    reset = client.post(f"/admin/users/{rita.id}/reset-password")
    assert reset.status_code == 302
    page = client.get(reset.headers["Location"]).get_data(as_text=True)
    link = re.search(r'value="http://localhost(/auth/set-password/[^"]+)"', page).group(1)
    client.post("/auth/logout")
    assert (
        client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )

    db.session.expire_all()
    assert rita.created_by_id is None and rita.password_set_by_id == ada.id
    login(client, rita, NEW_PASSWORD)
    page = client.get(f"/admin/review/{revision.id}")
    assert "Start review" not in buttons(page)
    assert "Ada Admin set the password of your account and wrote part of this text" in text(page)
