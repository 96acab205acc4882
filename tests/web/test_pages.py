import html as markup
import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from extensions import db
from models import Article, Topic, article_topics
from services.editorial.publishing import publicly_visible
from services.seeding.synthetic import seed_synthetic
from tests.factories import make_article

SEED = "/articles/all-blast-crisis-treatment"
APPROVED = "/articles/ph-positive-all-tki"
PUBLIC_PAGES = [
    "/",
    "/search",
    "/search?q=blast+crisis",
    "/topics",
    "/topics/acute-lymphoblastic-leukemia",
    "/editorial-policy",
    SEED,
    APPROVED,
    "/articles/mrd-testing-all",
    "/articles/ph-positive-all-tki/references/sasaki2016",
    "/auth/login",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_renders_with_security_headers(demo, client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert 'class="skip-link" href="#main"' in html


@pytest.mark.parametrize(
    "path", ["/articles/no-such-article", "/topics/nope", SEED + "/references/nope", "/nope"]
)
def test_missing_pages_get_a_styled_404(demo, client, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "We can’t find that page" in html and "<html" in html and "Traceback" not in html


def test_seed_article_carries_every_part_of_the_seed_page(demo, client):
    html = client.get(SEED).get_data(as_text=True)
    for text in [
        "What is the treatment for Acute Lymphoblastic Leukemia (ALL) during blast crisis?",
        "Medical Advisory Board",
        "All articles are reviewed for accuracy by our Medical Advisory Board",
        "Educational purpose only • Exercise caution as content is pending human review",
        "Article Review Status",
        "Submitted",
        "Under Review",
        "Approved",
        "Last updated",
        "View editorial policy",
        "Personalize",
        "Which best describes you?",
        "From the Guidelines",
        "From the FDA Drug Label",
        "From the Research",
        "References",
        "Professional Medical Disclaimer",
        "Have a follow-up question?",
        "Demo content.",
    ]:
        assert text in html, text
    assert '<li class="step step-current" aria-current="step">Under Review' in html
    assert '<time datetime="2025-05-07">May 7, 2025</time>' in html
    assert 'href="#ref-1"' in html and 'id="ref-1"' in html
    assert '"@type": "MedicalWebPage"' in html


def test_approved_article_names_reviewer_and_drops_caution_banner(demo, client):
    html = client.get(APPROVED).get_data(as_text=True)
    assert "Reviewed by Demo Reviewer, MD, Hematology (demo persona) on" in html
    assert "Next review due" in html or "Next review was due" in html  # overdue: test_review_due
    assert "Exercise caution as content is pending human review" not in html
    assert '<li class="step step-current" aria-current="step">Approved' in html
    assert '"lastReviewed"' in html and '"reviewedBy"' in html


def test_draft_only_article_is_not_public(app, client):
    from tests.factories import make_article

    make_article(slug="secret-draft", status="draft")
    db.session.commit()
    assert client.get("/articles/secret-draft").status_code == 404


def test_long_section_is_collapsed_with_a_working_link(demo, client):
    html = client.get(SEED).get_data(as_text=True)
    assert 'aria-expanded="false"' in html and "Show full section" in html
    expanded = client.get(SEED + "?expand=section-1").get_data(as_text=True)
    assert 'id="section-1-toggle"' in expanded
    opened = re.search(r'<div class="section-body" id="section-1-body">(.*?)</div>', expanded, re.S)
    shortened = re.search(r'id="section-1-body">(.*?)</div>', html, re.S)
    assert len(opened.group(1)) > len(shortened.group(1))


def test_section_fragment_for_htmx_and_redirect_without(demo, client, hx):
    article = db.session.scalar(
        sa.select(Article).where(Article.slug == "all-blast-crisis-treatment")
    )
    section = article.live_revision or article.latest_revision
    section_id = section.body_sections[0].id
    url = f"{SEED}/sections/{section_id}?expanded=1"

    fragment = hx.get(url)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="section-1"')
    assert 'aria-expanded="true"' in body and "Show less" in body
    assert "HX-Request" in fragment.headers["Vary"]

    plain = client.get(url)
    assert plain.status_code == 302
    assert plain.headers["Location"].endswith("?expand=section-1#section-1")


def test_reference_list_toggle_returns_fragment(demo, client, hx):
    fragment = hx.get(SEED + "?refs=full").get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="references"')
    assert "<html" not in fragment and 'aria-expanded="true"' in fragment
    assert "DOI 10.1182/blood.2023023568" in fragment
    whole = client.get(SEED + "?refs=full").get_data(as_text=True)
    assert "<html" in whole and "DOI 10.1182/blood.2023023568" in whole


def test_history_restore_gets_the_whole_page(demo, hx):
    response = hx.get(SEED + "?refs=full", headers={"HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_reference_card_fragment_and_page(demo, client, hx):
    url = "/articles/ph-positive-all-tki/references/sasaki2016"
    card = hx.get(url).get_data(as_text=True)
    assert (
        "<html" not in card and "Hyper-CVAD plus ponatinib versus hyper-CVAD plus dasatinib" in card
    )
    assert "What was read:" in card
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "DOI 10.1002/cncr.30231" in page


def test_reference_not_cited_by_article_is_404(demo, client):
    assert (
        client.get("/articles/tumor-lysis-syndrome-prevention/references/sasaki2016").status_code
        == 404
    )


def test_home_lists_articles_and_topics(demo, client):
    html = client.get("/").get_data(as_text=True)
    assert 'role="search"' in html
    assert "Reviewed by the Medical Advisory Board" in html
    assert "/topics/acute-lymphoblastic-leukemia" in html


def test_article_page_query_count_stays_small(demo, client, app):
    # A whole-page cache hit is one statement whatever the page costs: count the page itself.
    app.config["PAGE_CACHE_DISABLED"] = True
    statements = []

    def count(*args):
        statements.append(args[2])

    assert client.get(APPROVED).status_code == 200  # renders once, into the render cache
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(APPROVED).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # article, topics, audiences (2), revision, reviewer, sections, variants, the rendering's key
    # and the rendering itself, references, related, readers' answered follow-ups and the
    # references those answers cite, the enabled languages (hreflang and the switch)
    assert len(statements) <= 15, "\n".join(statements)


# Every reader page that lists or renders: what each costs must not depend on the site's size.
READER_PAGES = [
    ("/", {}),
    ("/topics", {}),
    ("/topics/synthetic-topic-01", {}),  # the largest
    (SEED + "?audience=clinical", {}),
    (SEED + "?audience=standard", {}),
    (SEED + "?audience=plain", {}),
    (SEED + "?role=patient", {"HX-Request": "true"}),  # the picker's htmx swap
    ("/search?q=therapy+remission", {}),
    ("/glossary", {}),
]


def reader_page_statements(app) -> dict[str, int]:
    """Statements each reader page issues once its rendering is in the render-once cache."""
    counts = {}
    for path, headers in READER_PAGES:
        client = app.test_client()  # no remembered audience from an earlier page
        assert client.get(path, headers=headers).status_code == 200
        statements = []

        def record(*args, seen=statements):
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            response = app.test_client().get(path, headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert response.status_code == 200, path
        counts[path + (" (htmx)" if headers else "")] = len(statements)
    return counts


def test_reader_pages_cost_the_same_whatever_the_size_of_the_site(demo, app):
    app.config["PAGE_CACHE_DISABLED"] = True  # count what building each page costs
    seed_synthetic(300)
    db.session.commit()
    before = reader_page_statements(app)
    seed_synthetic(300)
    db.session.commit()
    assert reader_page_statements(app) == before


def topic_page(client, url: str) -> tuple[list[str], str | None, str | None]:
    """The article slugs a topic page lists, and its plain Newer/Older links."""
    html = client.get(url).get_data(as_text=True)
    slugs = re.findall(r'<a class="card-title" href="/articles/([^"]+)"', html)
    links = {
        rel: markup.unescape(href)
        for rel, href in re.findall(r'<a rel="(prev|next)" href="([^"]+)"', html)
    }
    return slugs, links.get("prev"), links.get("next")


def test_topic_pages_walk_every_public_article_once_both_ways(app, client):
    seed_synthetic(200)
    topic = db.session.scalar(sa.select(Topic).where(Topic.slug == "synthetic-topic-01"))
    draft = make_article(slug="draft-in-topic", status="draft")
    draft.topics = [topic]
    db.session.commit()
    public = set(
        db.session.scalars(
            sa.select(Article.slug)
            .join(article_topics, article_topics.c.article_id == Article.id)
            .where(article_topics.c.topic_id == topic.id, publicly_visible())
        )
    )
    assert len(public) > 3 * 20  # three full pages and some

    pages, url = [], "/topics/synthetic-topic-01"
    while url:
        last = url
        slugs, newer, url = topic_page(client, url)
        assert (newer is None) == (not pages)  # a "Newer" link on every page but the first
        pages.append(slugs)
    walked = [slug for page in pages for slug in page]
    assert len(pages) >= 4 and all(pages)
    assert len(walked) == len(set(walked))  # no overlaps
    assert set(walked) == public  # no gaps, and nothing that is not public

    # Back from the last page by the "Newer" links: the same pages, in reverse.
    back, url = [], last
    while url:
        slugs, url, _ = topic_page(client, url)
        back.append(slugs)
    assert back == pages[::-1]


def test_page_compressed_when_client_accepts_it(demo, client):
    response = client.get(SEED, headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


def test_unexpected_error_gets_a_styled_500_without_details(demo, client, monkeypatch):
    from blueprints.articles import routes

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(routes, "recent_articles", broken)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "<html" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_expand_all_opens_every_long_section(demo, client):
    html = client.get(SEED + "?expand=all").get_data(as_text=True)
    assert "is-collapsed" not in html and "section-print" not in html
    collapsed = client.get(SEED).get_data(as_text=True)
    # On paper a shortened section prints whole: the full text waits, hidden, beside the preview.
    assert '<div class="section-print" hidden>' in collapsed


def test_readers_keep_seeing_the_approved_revision_while_a_draft_is_in_progress(demo, client):
    html = client.get("/articles/hyper-cvad-regimen").get_data(as_text=True)
    assert "Reviewed by" in html and "Exercise caution" not in html


def test_never_approved_article_with_changes_requested_is_being_revised(app, client):
    from tests.factories import make_article

    make_article(slug="returned", status="changes_requested")
    db.session.commit()
    response = client.get("/articles/returned")
    assert response.status_code == 404
    assert "This article is being revised" in response.get_data(as_text=True)
