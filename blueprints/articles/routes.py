"""Reading: home, search, topics, the article page and its swappable parts."""

import re

import sqlalchemy as sa
from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for

from caching.headers import ARTICLE, LISTING, shared
from caching.pages import cached_page
from extensions import db
from models import ReadingLevel, Topic
from services.editorial import publishing
from services.followups import answers
from services.reading import public_history
from services.reading.glossary import glossary_page
from services.reading.view import (
    approved_articles,
    build_view,
    find_article,
    load_revision,
    recent_articles,
    related_articles,
    structured_data,
    topic_articles,
    topics_with_counts,
)
from services.search import search as find_articles
from web.audience import audiences, current_audience, remember_now, remembered_level
from web.language import current_language
from web.rendering import render_page, wants_fragment

bp = Blueprint("articles", __name__)

# The query arguments each cached view reads, and the values the site's own links give them:
# the page cache keeps nothing else (caching/pages.py).
LEVELS = frozenset(level.value for level in ReadingLevel)
PAGE_ARGS = {
    "audience": LEVELS,
    "role": lambda key: audiences().role(key) is not None,
    "expand": re.compile(r"all|section-\d{1,3}").fullmatch,
    "refs": {"full", "brief"},
}
PART_ARGS = {"audience": LEVELS, "revision": {"pending"}}
SECTION_ARGS = PART_ARGS | {"expanded": {"0", "1"}}


def _page_number(value: str) -> bool:
    return value.isdigit() and str(int(value)) == value


def _worded_for_reader() -> dict:
    """What a listing needs to show each short answer in the reader's wording (a shared
    `?audience=` link, else their remembered choice, else clinical) and to keep them in it."""
    audience = current_audience()
    return {
        "audience": audience,
        "levels": audiences().levels,
        "audience_param": audience.level.value if audience.chosen else None,
    }


# Listings show short answers in the reader's wording: like the article page, `?audience=` names
# it (an address a cache may share), else the remembered choice does (the page cache keys on it;
# shared caches are told `Vary: Cookie`, and nginx passes such readers by).
LISTING_ARGS = {"audience": LEVELS}


@bp.get("/")
@shared(**LISTING, args=("audience",), audience=True)
@cached_page(args=LISTING_ARGS)
def index():
    """Home: search box, recently updated and reviewed articles, topics."""
    return render_page(
        "articles/index.html",
        recent=recent_articles(6),
        approved=approved_articles(6),
        topics=topics_with_counts(),
        **_worded_for_reader(),
    )


@bp.get("/search")
def search():
    """Full-text search at the reader's level; htmx swaps only the results, the URL follows."""
    slug = request.args.get("topic") or None
    topic = slug and db.session.scalar(sa.select(Topic).where(Topic.slug == slug))
    results = find_articles(
        request.args.get("q", ""),
        level=current_audience().level,
        topic_slug=topic.slug if topic else None,
        page=request.args.get("page", 1, type=int),
        language=current_language(),
    )
    context = {"results": results, "topic": topic, **_worded_for_reader()}
    if not wants_fragment():
        context["topics"] = db.session.scalars(sa.select(Topic).order_by(Topic.name)).all()
    response = make_response(
        render_page("articles/search.html", fragment="search_results", **context)
    )
    if wants_fragment():
        # The address bar shows the tidied query, without empty or default parameters.
        response.headers["HX-Push-Url"] = url_for(
            "articles.search",
            q=results.query or None,
            topic=topic.slug if topic else None,
            page=results.page if results.page > 1 else None,
        )
    return response


@bp.get("/topics")
@shared(**LISTING)
@cached_page
def topics():
    """Every topic."""
    return render_page("articles/topics.html", topics=topics_with_counts())


@bp.get("/topics/<topic_slug>")
@shared(**LISTING, args=("before", "after", "audience"), audience=True)
@cached_page(args={"before": _page_number, "after": _page_number, **LISTING_ARGS})
def topic(topic_slug: str):
    """One page of the articles in a topic, newest first; "Older"/"Newer" links page on."""
    found = db.session.scalar(sa.select(Topic).where(Topic.slug == topic_slug)) or abort(404)
    page = topic_articles(
        found,
        before=request.args.get("before", type=int),
        after=request.args.get("after", type=int),
    )
    return render_page("articles/topic.html", topic=found, page=page, **_worded_for_reader())


@bp.get("/glossary")
@shared(**LISTING)
@cached_page
def glossary():
    """Every glossary term with its plain definition in the page's language; inline terms link
    here."""
    return render_page("articles/glossary.html", glossary=glossary_page(current_language()))


@bp.get("/editorial-policy")
@shared(**LISTING)
@cached_page
def policy():
    """How content is written, sourced, reviewed and corrected."""
    return render_page("articles/policy.html")


def _public_article(slug: str):
    """The public article at `slug`; else 404, saying so when it is being revised (sent back by
    the board with nothing else public) and plainly for an unknown address."""
    article = find_article(slug)
    if article is None:
        if not request.htmx and publishing.being_revised(slug):
            abort(make_response(render_template("articles/being_revised.html"), 404))
        abort(404)
    return article


def _load_view(slug: str, *, explain_terms: bool = True, pending: bool = False):
    """The article as readers see it; with `pending`, the newer revision waiting for review
    (404 when there is none: it was decided meanwhile, or never existed)."""
    article = _public_article(slug)
    revision = None
    if pending:
        revision = publishing.pending_revision(article) or abort(404)
    return _build_view(article, revision, explain_terms=explain_terms, pending=pending)


def _build_view(article, revision, *, explain_terms: bool = True, pending: bool = False):
    audience = current_audience()
    fragment_args = {"revision": "pending"} if pending else {}
    view = build_view(
        article,
        audience.level,
        card_url=lambda key: url_for(
            "articles.reference", slug=article.slug, key=key, **fragment_args
        ),
        glossary_url=(lambda term: url_for("articles.glossary", _anchor=term.slug))
        if explain_terms
        else None,
        revision=load_revision(revision.id, current_language()) if revision else None,
        # The pending page's links point at itself; once approved, the same revision is the
        # public one with other links, so only the public rendering goes into the cache. The
        # render key names the page's language, whose links (/es/glossary) it carries.
        cached=not pending,
        language=current_language(),
    )
    return view or abort(404), audience


def _wants_pending() -> bool:
    return request.args.get("revision") == "pending"


def _article_context(view, audience, *, pending: bool = False) -> dict:
    return {
        "view": view,
        # The pending page reuses the article template: its links and fragments stay on it.
        "page_endpoint": "articles.pending" if pending else "articles.detail",
        "fragment_args": {"revision": "pending"} if pending else {},
        "audience": audience,
        "audiences": audiences(),
        # Fragment links carry the level, so a cached fragment is always for the right wording.
        "audience_param": audience.level.value if audience.chosen else None,
        "expanded": set(request.args.getlist("expand")),
        "refs_full": request.args.get("refs") == "full",
    }


@bp.get("/articles/<slug>")
@shared(**ARTICLE, args=("audience",), audience=True)
@cached_page(args=PAGE_ARGS)
def detail(slug: str):
    """The article page. `?role=` from the picker swaps the wording of the whole body in place;
    `?expand=` opens long sections; `?refs=full` the full reference list."""
    picked = "role" in request.args
    if not picked and "audience" not in request.args and (level := remembered_level()):
        # A reader who chose an audience goes to that wording's own address, which a cache
        # can share, instead of getting (or spoiling) the cached default at this one.
        args = request.args.to_dict(flat=False) | {"audience": level}
        response = redirect(url_for("articles.detail", slug=slug, **args))
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Cookie")
        return response
    view, audience = _load_view(slug)
    if picked and not wants_fragment():
        return redirect(url_for("articles.detail", slug=slug, audience=audience.level.value))
    fragment = "article_body" if picked else "references" if request.args.get("refs") else None
    # A picker's swap sends the related cards along (out of band): worded for the new choice.
    whole_page = {"related": related_articles(view.article)} if picked else {}
    if not (fragment and wants_fragment()):
        whole_page = {
            "related": related_articles(view.article),
            "readers_asked": answers.answered_for(view.article),
            "structured_data": structured_data(
                view,
                url_for("articles.detail", slug=slug, _external=True),
                policy_url=url_for("articles.policy", _external=True),
            ),
            "pending": publishing.pending_revision(view.article),
        }
    response = make_response(
        render_page(
            "articles/detail.html",
            fragment=fragment,
            swapping=picked,
            **whole_page,
            **_article_context(view, audience),
        )
    )
    if picked:
        # The address bar shows the shareable level, not the role the picker sent.
        response.headers["HX-Push-Url"] = url_for(
            "articles.detail", slug=slug, audience=audience.level.value
        )
        remember_now(response)
    return response


@bp.get("/articles/<slug>/sections/<int:section_id>")
@cached_page(args=SECTION_ARGS)
def section(slug: str, section_id: int):
    """One section, expanded or collapsed; without htmx, the article opened at that section."""
    pending = _wants_pending()
    view, audience = _load_view(slug, pending=pending)
    shown = view.section(section_id) or abort(404)
    expand = request.args.get("expanded") == "1"
    if not request.htmx:
        args = {"expand": shown.anchor} if expand else {}
        endpoint = "articles.pending" if pending else "articles.detail"
        return redirect(url_for(endpoint, slug=slug, **args, _anchor=shown.anchor))
    context = _article_context(view, audience, pending=pending) | {
        "expanded": {shown.anchor} if expand else set()
    }
    return render_page("articles/detail.html", fragment="article_section", sv=shown, **context)


@bp.get("/articles/<slug>/references/<key>")
@shared(**ARTICLE, args=("audience",), audience=True)
@cached_page(args=PART_ARGS)
def reference(slug: str, key: str):
    """A reference as cited by one article: a hover card for htmx, else a page of its own."""
    # Only its number is needed, so no glossary.
    view, _audience = _load_view(slug, explain_terms=False, pending=_wants_pending())
    cited = next((c for c in view.references if c.reference.key == key), None)
    if cited is None:
        abort(404)  # unknown key, or a reference this article does not cite
    return render_page(
        "articles/reference.html",
        fragment="reference_card",
        view=view,
        cited=cited,
        full=not wants_fragment(),
    )


@bp.get("/articles/<slug>/pending")
def pending(slug: str):
    """The newer revision of an approved article that waits for review, under the caution
    banner with its review state; readers of an article with none go to the article."""
    article = _public_article(slug)
    waiting = publishing.pending_revision(article)
    if waiting is None:
        return redirect(url_for("articles.detail", slug=slug))
    view, audience = _build_view(article, waiting, pending=True)
    picked = "role" in request.args
    if picked and not wants_fragment():
        return redirect(url_for("articles.pending", slug=slug, audience=audience.level.value))
    fragment = "article_body" if picked else "references" if request.args.get("refs") else None
    response = make_response(
        render_page(
            "articles/detail.html",
            fragment=fragment,
            swapping=picked,
            pending_page=True,
            **_article_context(view, audience, pending=True),
        )
    )
    if picked:
        response.headers["HX-Push-Url"] = url_for(
            "articles.pending", slug=slug, audience=audience.level.value
        )
    return response


@bp.get("/articles/<slug>/history")
def history(slug: str):
    """The public review record: each approved revision, who reviewed it, when, and what changed."""
    article = _public_article(slug)
    return render_page(
        "articles/history.html",
        article=article,
        approvals=public_history.approvals(article),
        corrections=public_history.library_corrections(article),
        pending=publishing.pending_revision(article),
        levels=audiences().levels,
    )
