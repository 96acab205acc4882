"""Headers a shared cache can act on: no cookie for anonymous readers, public canonical pages,
private variants and fragments, no-store for staff, Vary only where the answer changes."""

import pytest

from config import AUDIENCE_COOKIE
from models import Role

SEED = "/articles/all-blast-crisis-treatment"
ARTICLE = "public, max-age=60, stale-while-revalidate=600"
LISTING = "public, max-age=60, stale-while-revalidate=600"
PRIVATE = "private, no-cache"
HX = {"HX-Request": "true"}


@pytest.fixture
def reader(demo, app_factory):
    """An anonymous reader of the app as production runs it (CSRF on)."""
    return app_factory(WTF_CSRF_ENABLED=True).test_client()


READER_PAGES = [
    ("/", {}),
    ("/topics", {}),
    ("/topics/acute-lymphoblastic-leukemia", {}),
    ("/glossary", {}),
    ("/editorial-policy", {}),
    ("/search?q=blast+crisis", {}),
    ("/search?q=blast", HX),
    (SEED, {}),
    (SEED + "?audience=plain", {}),
    (SEED + "?audience=standard&expand=all", {}),
    (SEED + "?refs=full", HX),
    (SEED + "/references/sasaki2016", {}),
    (SEED + "/references/sasaki2016", HX),
    ("/articles/ph-positive-all-tki?audience=plain", {}),
]


@pytest.mark.parametrize(("path", "headers"), READER_PAGES)
def test_anonymous_reader_pages_set_no_cookie(reader, path, headers):
    response = reader.get(path, headers=headers)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_section_fragment_sets_no_cookie(reader):
    html = reader.get(SEED).get_data(as_text=True)
    toggle = next(part.split('"')[0] for part in html.split('hx-get="') if "/sections/" in part)
    assert "/sections/" in toggle
    response = reader.get(toggle.replace("&amp;", "&"), headers=HX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == PRIVATE


@pytest.mark.parametrize("path", [SEED, SEED + "?audience=plain", SEED + "?audience=clinical"])
def test_canonical_article_addresses_are_public_with_an_etag(reader, path):
    response = reader.get(path)
    assert response.headers["Cache-Control"] == ARTICLE
    etag = response.headers["ETag"]
    again = reader.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["Cache-Control"] == ARTICLE and again.headers["ETag"] == etag


def test_only_the_default_address_varies_on_cookie(reader):
    """Its wording follows a remembered choice; ?audience= says the wording itself."""
    default = reader.get(SEED).headers.get_all("Vary")
    assert "Cookie" in ", ".join(default) and "HX-Request" in ", ".join(default)
    plain = ", ".join(reader.get(SEED + "?audience=plain").headers.get_all("Vary"))
    assert "Cookie" not in plain and "HX-Request" in plain


@pytest.mark.parametrize(
    "path",
    [
        SEED + "?expand=all",
        SEED + "?refs=full",
        SEED + "?audience=plain&expand=all",
        SEED + "?audience=plain&",  # not how the site writes it: another cache key
        SEED + "?audience=plain&audience=plain",
        SEED + "?audience=wizard",
        SEED + "?utm_source=newsletter",
        "/search?q=leukemia",  # free text: not kept on the proxy's disk
    ],
)
def test_variants_stay_private(reader, path):
    response = reader.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PRIVATE
    assert "ETag" in response.headers  # the browser can still revalidate


def test_fragments_stay_private(reader):
    response = reader.get(SEED + "?audience=plain", headers=HX)
    assert response.headers["Cache-Control"] == PRIVATE
    picked = reader.get(SEED + "?role=patient", headers=HX)
    assert (
        picked.headers["Cache-Control"] == PRIVATE
        and AUDIENCE_COOKIE in picked.headers["Set-Cookie"]
    )


def test_a_reader_with_a_remembered_choice_never_gets_the_shared_default(reader):
    reader.get(SEED + "?role=allied")
    response = reader.get(SEED)
    assert response.status_code == 302 and response.headers["Cache-Control"] == PRIVATE
    card = reader.get(SEED + "/references/sasaki2016")
    assert card.headers["Cache-Control"] == PRIVATE  # numbered for their wording
    own_role = reader.get(SEED + "?audience=standard")
    assert own_role.headers["Cache-Control"] == PRIVATE  # the picker marks their role
    assert "Cookie" not in ", ".join(own_role.headers.get_all("Vary"))


@pytest.mark.parametrize("path", ["/topics", "/glossary", "/editorial-policy"])
def test_listings_are_public_for_a_short_time(reader, path):
    response = reader.get(path)
    assert response.headers["Cache-Control"] == LISTING
    assert "Cookie" not in ", ".join(response.headers.get_all("Vary"))


WORDED_LISTINGS = ["/", "/topics/acute-lymphoblastic-leukemia"]


@pytest.mark.parametrize("path", WORDED_LISTINGS)
def test_listings_of_short_answers_are_worded_for_the_reader(reader, path):
    """They show each short answer in the reader's wording: the bare address follows a
    remembered choice (so it varies on the cookie and is private to a reader with one), while
    `?audience=` names the wording, an address any cache may share."""
    response = reader.get(path)
    assert response.headers["Cache-Control"] == LISTING
    assert "Cookie" in ", ".join(response.headers.get_all("Vary"))
    named = reader.get(path + "?audience=plain")
    assert named.headers["Cache-Control"] == LISTING
    assert "Cookie" not in ", ".join(named.headers.get_all("Vary"))
    reader.get(SEED + "?role=patient")
    assert reader.get(path).headers["Cache-Control"] == PRIVATE


def test_a_reader_with_a_pending_message_gets_a_private_page(reader):
    reader.post("/audience", data={"role": "wizard"}, headers={"Sec-Fetch-Site": "same-origin"})
    response = reader.get("/")
    assert response.headers["Cache-Control"] == PRIVATE
    assert "Choose the description that fits you best." in response.get_data(as_text=True)


def test_staff_get_no_store_everywhere(demo, client, auth):
    auth.login(Role.EDITOR)
    for path in ["/", SEED, SEED + "?audience=plain", "/admin/"]:
        response = client.get(path)
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert "Cookie" in ", ".join(response.headers.get_all("Vary")), path


def test_login_page_is_not_shared(reader):
    assert reader.get("/auth/login").headers["Cache-Control"] == PRIVATE


def test_picking_the_same_role_again_still_updates_the_address(reader):
    """A swap served from the page cache brings its htmx header back with it."""
    for _ in range(3):
        response = reader.get(SEED + "?role=patient", headers=HX)
        assert response.headers["HX-Push-Url"] == SEED + "?audience=plain"
    assert response.headers["X-Page-Cache"] == "hit"
