"""Sitemaps for search engines and an Atom feed of newly reviewed articles."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, current_app, render_template, url_for

from caching.headers import FEED, shared
from models.language import SOURCE_LANGUAGE
from services.reading import feeds
from services.reading.languages import enabled_languages
from web.language import localized_url

bp = Blueprint("feeds", __name__)
XML = "application/xml"
# The pages besides articles and topics that a sitemap lists.
LISTINGS = ("articles.index", "articles.topics", "articles.glossary", "articles.policy")


def _xml(template: str, mimetype: str = XML, **context):
    return current_app.response_class(render_template(template, **context), mimetype=mimetype)


def _article_entries(part: int) -> list[tuple[str, str | None]]:
    """(slug as it goes in an address, lastmod) of each article in a part; the template puts
    each language's prefix before it (built once, not 50,000 times)."""
    return [
        (quote(a.slug, safe=""), a.reviewed_at.date().isoformat() if a.reviewed_at else None)
        for a in feeds.article_urls(part, current_app.config["SITEMAP_MAX_URLS"])
    ]


def _languages() -> dict:
    """What sitemap.xml needs for the `xhtml:link` alternates of each page (web/language.py):
    the enabled languages' codes, the source language's first, and each one's article prefix.
    Each page is listed once, at its source-language address, with an alternate per language."""
    codes = [language.code for language in enabled_languages()]
    return {
        "languages": codes,
        "source_language": SOURCE_LANGUAGE,
        "article_prefix": {
            code: localized_url("articles.detail", code, slug="-", _external=True)[:-1]
            for code in codes
        },
    }


@bp.get("/sitemap.xml")
@shared(**FEED)
def sitemap():
    """Every public page while they fit in one sitemap; past that, an index of sitemaps."""
    limit = current_app.config["SITEMAP_MAX_URLS"]
    topics = feeds.topic_slugs()
    if feeds.highest_id() + len(topics) + len(LISTINGS) <= limit:
        articles = _article_entries(1)
        return _xml(
            "feeds/sitemap.xml", listings=LISTINGS, topics=topics, articles=articles, **_languages()
        )
    sitemaps = [url_for("feeds.pages", _external=True)] + [
        url_for("feeds.articles", page=part, _external=True)
        for part in feeds.parts_with_articles(limit)
    ]
    return _xml("feeds/sitemap_index.xml", sitemaps=sitemaps)


@bp.get("/sitemap-pages.xml")
@shared(**FEED)
def pages():
    """The home page, the listings and every topic (a part of the sitemap index)."""
    return _xml(
        "feeds/sitemap.xml",
        listings=LISTINGS,
        topics=feeds.topic_slugs(),
        articles=[],
        **_languages(),
    )


@bp.get("/sitemap-articles-<int:page>.xml")
@shared(**FEED)
def articles(page: int):
    """One part of the sitemap index: the articles of one range of SITEMAP_MAX_URLS ids."""
    entries = _article_entries(page) if page >= 1 else []
    if not entries:
        abort(404)
    return _xml("feeds/sitemap.xml", listings=(), topics=(), articles=entries, **_languages())


@bp.get("/feed.atom")
@shared(**FEED)
def feed():
    """Atom feed: the latest approvals of public articles, newest first."""
    return _xml("feeds/feed.xml", "application/atom+xml", revisions=feeds.recent_approvals())


@bp.get("/robots.txt")
@shared(**FEED)
def robots():
    """Where the sitemap is; staff pages are no business of crawlers."""
    sitemap_url = url_for("feeds.sitemap", _external=True)
    body = f"User-agent: *\nDisallow: /admin/\nDisallow: /auth/\n\nSitemap: {sitemap_url}\n"
    return current_app.response_class(body, mimetype="text/plain")
