"""Sitemaps and the Atom feed: what they list, what they leave out, and that they stay cheap."""

import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from extensions import db
from models import Article
from services.seeding.synthetic import seed_synthetic
from tests.factories import make_article

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
HOST = "http://localhost"


def urlset(client, path="/sitemap.xml") -> dict[str, str | None]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{SM}urlset"
    return {url.findtext(f"{SM}loc"): url.findtext(f"{SM}lastmod") for url in root.iter(f"{SM}url")}


def test_sitemap_lists_every_public_page_with_its_last_review_date(demo, client):
    urls = urlset(client)
    approved = db.session.scalar(sa.select(Article).where(Article.slug == "ph-positive-all-tki"))
    reviewed = approved.live_revision.reviewed_at.date().isoformat()
    assert urls[f"{HOST}/articles/ph-positive-all-tki"] == reviewed
    # Public but never approved yet (under review): listed, with no review date to give.
    assert urls[f"{HOST}/articles/all-blast-crisis-treatment"] is None
    assert f"{HOST}/" in urls and f"{HOST}/topics/acute-lymphoblastic-leukemia" in urls
    public = db.session.scalars(
        sa.select(Article.slug).where(Article.public_revision_id.is_not(None))
    )
    assert {u for u in urls if "/articles/" in u} == {f"{HOST}/articles/{s}" for s in public}


def test_sitemap_and_feed_leave_out_drafts_and_synthetic_articles(demo, client):
    make_article(slug="only-a-draft", status="draft")
    seed_synthetic(3)
    db.session.commit()
    articles = [u for u in urlset(client) if "/articles/" in u]
    assert len(articles) == 6
    assert not any("synthetic" in u or "only-a-draft" in u for u in articles)
    feed = client.get("/feed.atom").get_data(as_text=True)
    assert "synthetic" not in feed.lower() and "only-a-draft" not in feed


def test_past_the_limit_the_sitemap_becomes_an_index(demo, app_factory):
    client = app_factory(SITEMAP_MAX_URLS=4).test_client()
    root = ET.fromstring(client.get("/sitemap.xml").get_data())
    assert root.tag == f"{SM}sitemapindex"
    parts = [loc.text for loc in root.iter(f"{SM}loc")]
    assert parts[0] == f"{HOST}/sitemap-pages.xml"
    assert parts[1:] == [f"{HOST}/sitemap-articles-1.xml", f"{HOST}/sitemap-articles-2.xml"]
    listed = {}
    for part in parts[1:]:
        urls = urlset(client, part.removeprefix(HOST))
        assert 0 < len(urls) <= 4
        listed |= urls
    assert listed == {
        u: m for u, m in urlset(app_factory().test_client()).items() if "/articles/" in u
    }
    assert f"{HOST}/topics" in urlset(client, "/sitemap-pages.xml")
    assert client.get("/sitemap-articles-3.xml").status_code == 404
    assert client.get("/sitemap-articles-0.xml").status_code == 404


def test_feed_lists_approvals_newest_first(demo, client):
    make_article(slug="fresh-approval", question="Test question?")
    db.session.commit()
    response = client.get("/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{HOST}/feed.atom"
    entries = root.findall(f"{ATOM}entry")
    assert entries[0].findtext(f"{ATOM}title") == "Test question?"
    assert entries[0].find(f"{ATOM}link").get("href") == f"{HOST}/articles/fresh-approval"
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True) and all(u.endswith("Z") for u in updated)
    assert root.findtext(f"{ATOM}updated") == updated[0]
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(entries)
    demo_entry = next(
        e for e in entries if "ph-positive-all-tki" in e.find(f"{ATOM}link").get("href")
    )
    assert "approved by Demo Reviewer, MD, Hematology (demo persona)" in demo_entry.findtext(
        f"{ATOM}summary"
    )
    # Under review and never approved: not news yet.
    assert "all-blast-crisis-treatment" not in response.get_data(as_text=True)


def test_feed_is_bounded(app, client):
    for n in range(55):
        make_article(slug=f"approved-{n}", question=f"Test question {n}?")
    db.session.commit()
    assert len(ET.fromstring(client.get("/feed.atom").get_data()).findall(f"{ATOM}entry")) == 50


@pytest.mark.parametrize("path", ["/sitemap.xml", "/feed.atom", "/robots.txt"])
def test_feeds_are_public_for_five_minutes(demo, client, path):
    response = client.get(path)
    assert response.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=3600"
    if path != "/robots.txt":
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304


def test_robots_points_at_the_sitemap(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert f"Sitemap: {HOST}/sitemap.xml" in text and "Disallow: /admin/" in text


def count_queries(client, path) -> int:
    statements = []

    def record(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


@pytest.mark.parametrize("path", ["/sitemap.xml", "/feed.atom"])
def test_query_count_does_not_grow_with_the_site(demo, client, path):
    before = count_queries(client, path)
    seed_synthetic(300)
    for n in range(5):
        make_article(slug=f"more-{n}")
    db.session.commit()
    assert count_queries(client, path) == before
