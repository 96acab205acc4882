import re

import sqlalchemy as sa

from config import AUDIENCE_COOKIE
from extensions import db
from models import Role, User

SEED = "/articles/all-blast-crisis-treatment"


def short_answer(html: str) -> str:
    start = html.index('id="answer-title"')
    return html[start : start + 600]


def test_picker_swap_returns_only_the_article_body(demo, hx):
    response = hx.get(SEED + "?role=patient")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="article-body"')
    assert 'hx-swap-oob="innerHTML">Showing wording for patients and caregivers.' in body
    assert response.headers["HX-Push-Url"] == SEED + "?audience=plain"
    assert "HX-Request" in response.headers["Vary"] and "Cookie" in response.headers["Vary"]
    assert AUDIENCE_COOKIE in response.headers["Set-Cookie"]


def test_plain_wording_differs_and_explains_terms(demo, client):
    clinical = client.get(SEED).get_data(as_text=True)
    plain = client.get(SEED + "?audience=plain").get_data(as_text=True)
    assert short_answer(clinical) != short_answer(plain)
    assert 'class="term"' in plain and 'class="term"' not in clinical
    assert "Reading level: about grade" in plain


def test_choice_is_remembered_in_a_signed_httponly_cookie(demo, client):
    response = client.get(SEED + "?role=patient")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "patient" not in cookie
    other = client.get("/articles/ph-positive-all-tki", follow_redirects=True)
    html = other.get_data(as_text=True)
    assert "Showing wording for patients and caregivers." in html
    assert 'value="patient" id="role-patient"' in html


def test_remembered_choice_sends_the_reader_to_its_shareable_address(demo, client):
    client.get(SEED + "?role=allied")
    response = client.get("/articles/ph-positive-all-tki?expand=all")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        "/articles/ph-positive-all-tki?expand=all&audience=standard"
    )
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response.headers["Vary"]


def test_tampered_cookie_is_ignored(demo, client):
    client.set_cookie(AUDIENCE_COOKIE, '"patient".forged')
    html = client.get(SEED).get_data(as_text=True)
    assert "Showing clinical wording." in html


def test_shared_link_shows_its_wording_without_rewriting_the_choice(demo, client):
    """Only the picker changes the remembered audience; a link someone shared does not."""
    client.get(SEED + "?role=patient")
    shared = client.get(SEED + "?audience=clinical")
    assert "Set-Cookie" not in shared.headers
    assert "Showing wording for physicians" in shared.get_data(as_text=True)
    html = client.get("/articles/ph-positive-all-tki", follow_redirects=True).get_data(as_text=True)
    assert "Showing wording for patients and caregivers." in html


def test_no_javascript_form_posts_then_redirects_with_the_level(demo, client):
    response = client.post("/audience", data={"role": "student", "next": SEED})
    assert response.status_code == 302
    assert response.headers["Location"] == SEED + "?audience=standard"
    assert AUDIENCE_COOKIE in response.headers["Set-Cookie"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Showing wording for students, nurses, pharmacists" in html


def test_shared_level_marks_a_role_only_when_the_level_has_one(demo, client):
    plain = client.get(SEED + "?audience=plain").get_data(as_text=True)
    assert re.search(r'value="patient" id="role-patient"\s+hx-get[^>]* checked>', plain)
    standard = client.get(SEED + "?audience=standard").get_data(as_text=True)
    assert " checked>" not in standard  # students and nurses share it: neither is claimed
    assert 'data-role=""' in standard


def test_a_reader_who_chose_a_shared_level_sees_their_own_role_marked(demo, client):
    client.post("/audience", data={"role": "allied", "next": SEED})
    response = client.get(SEED + "?audience=standard")
    html = response.get_data(as_text=True)
    assert re.search(r'value="allied" id="role-allied"\s+hx-get[^>]* checked>', html)
    assert response.headers["Cache-Control"] == "private, no-cache"  # that mark is theirs


def test_form_with_unknown_role_or_offsite_next_is_safe(demo, client):
    response = client.post("/audience", data={"role": "wizard", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_history_restore_of_a_swap_gets_the_whole_page(demo, hx):
    response = hx.get(SEED + "?role=patient", headers={"HX-History-Restore-Request": "true"})
    assert response.status_code == 302  # no fragment: the browser lands on ?audience=plain


def test_role_link_without_htmx_redirects_to_the_shareable_url(demo, client):
    response = client.get(SEED + "?role=patient")
    assert response.headers["Location"] == SEED + "?audience=plain"


def test_missing_variant_shows_the_more_technical_one_with_a_note(demo, client):
    html = client.get("/articles/mrd-testing-all?audience=standard").get_data(as_text=True)
    assert "Not yet available in standard wording: showing the clinical wording." in html


def test_signed_in_staff_keep_their_choice_in_their_profile(demo, client, auth):
    auth.login(Role.EDITOR)
    client.get(SEED + "?role=patient")
    user = db.session.scalar(sa.select(User).where(User.email == "editor@example.org"))
    assert user.audience_role == "patient"


def test_etag_lets_the_browser_revalidate(demo, client):
    first = client.get(SEED + "?audience=plain")
    etag = first.headers["ETag"]
    again = client.get(SEED + "?audience=plain", headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = client.get(SEED + "?audience=clinical")
    assert other.headers["ETag"] != etag


def test_glossary_page_lists_terms(demo, client):
    html = client.get("/glossary").get_data(as_text=True)
    assert 'id="tyrosine-kinase-inhibitor"' in html
