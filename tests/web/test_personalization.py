import sqlalchemy as sa

from extensions import db
from models import Role, User
from services.personalization import COOKIE_NAME

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
    assert COOKIE_NAME in response.headers["Set-Cookie"]


def test_plain_wording_differs_and_explains_terms(demo, client):
    clinical = client.get(SEED).get_data(as_text=True)
    plain = client.get(SEED + "?audience=plain").get_data(as_text=True)
    assert short_answer(clinical) != short_answer(plain)
    assert 'class="term"' in plain and 'class="term"' not in clinical
    assert "Reading level: about grade" in plain


def test_choice_is_remembered_in_a_signed_httponly_cookie(demo, client):
    response = client.get(SEED + "?audience=plain")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "patient" not in cookie
    other = client.get("/articles/ph-positive-all-tki").get_data(as_text=True)
    assert "Showing wording for patients and caregivers." in other
    assert 'value="patient" id="role-patient"' in other


def test_tampered_cookie_is_ignored(demo, client):
    client.set_cookie(COOKIE_NAME, '"patient".forged')
    html = client.get(SEED).get_data(as_text=True)
    assert "Showing clinical wording." in html


def test_query_overrides_and_updates_the_cookie(demo, client):
    client.get(SEED + "?audience=plain")
    client.get(SEED + "?audience=clinical")
    html = client.get("/articles/ph-positive-all-tki").get_data(as_text=True)
    assert "Showing wording for physicians and advanced practice clinicians." in html


def test_no_javascript_form_posts_then_redirects_with_the_level(demo, client):
    response = client.post("/audience", data={"role": "student", "next": SEED})
    assert response.status_code == 302
    assert response.headers["Location"] == SEED + "?audience=standard"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        'value="student" id="role-student" hx-get' in html.replace("\n", " ") or "checked" in html
    )


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
    client.get(SEED + "?audience=plain")
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
