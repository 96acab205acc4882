"""Reading: home, search, topics, the article page and its swappable parts."""

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, request, url_for

from blueprints.personalization.routes import current_audience
from blueprints.rendering import render_page, wants_fragment
from extensions import db
from models import Topic
from services import reading
from services.personalization import ROLES
from services.search import normalise_query, search_articles

bp = Blueprint("articles", __name__)


@bp.get("/")
def index():
    """Home: search box, recently updated and reviewed articles, topics."""
    return render_page(
        "articles/index.html",
        recent=reading.recent_articles(6),
        approved=reading.approved_articles(6),
        topics=reading.topics_with_counts(),
    )


@bp.get("/search")
def search():
    """Title and summary search; htmx swaps only the results."""
    query = normalise_query(request.args.get("q", ""))
    results = search_articles(query) if query else []
    return render_page("articles/search.html", fragment="search_results", q=query, results=results)


@bp.get("/topics")
def topics():
    """Every topic."""
    return render_page("articles/topics.html", topics=reading.topics_with_counts())


@bp.get("/topics/<topic_slug>")
def topic(topic_slug: str):
    """The articles in one topic."""
    found = db.session.scalar(sa.select(Topic).where(Topic.slug == topic_slug)) or abort(404)
    return render_page("articles/topic.html", topic=found, articles=reading.topic_articles(found))


@bp.get("/editorial-policy")
def policy():
    """How content is written, sourced, reviewed and corrected."""
    return render_page("articles/policy.html")


def _load_view(slug: str):
    article = reading.find_article(slug) or abort(404)
    audience = current_audience()
    view = reading.build_view(
        article,
        audience.level,
        card_url=lambda key: url_for("articles.reference", slug=slug, key=key),
    )
    return view or abort(404), audience


@bp.get("/articles/<slug>")
def detail(slug: str):
    """The article page; `?expand=` opens long sections, `?refs=full` the full reference list."""
    view, audience = _load_view(slug)
    fragment = "references" if request.args.get("refs") else None
    return render_page(
        "articles/detail.html",
        fragment=fragment,
        view=view,
        audience=audience,
        expanded=set(request.args.getlist("expand")),
        refs_full=request.args.get("refs") == "full",
        related=reading.related_articles(view.article),
        roles=ROLES,
        structured_data=reading.structured_data(
            view, url_for("articles.detail", slug=slug, _external=True)
        ),
    )


@bp.get("/articles/<slug>/sections/<int:section_id>")
def section(slug: str, section_id: int):
    """One section, expanded or collapsed; without htmx, the article opened at that section."""
    view, audience = _load_view(slug)
    shown = view.section(section_id) or abort(404)
    expand = request.args.get("expanded") == "1"
    if not request.htmx:
        args = {"expand": shown.anchor} if expand else {}
        return redirect(url_for("articles.detail", slug=slug, **args, _anchor=shown.anchor))
    return render_page(
        "articles/detail.html",
        fragment="article_section",
        view=view,
        audience=audience,
        sv=shown,
        expanded={shown.anchor} if expand else set(),
    )


@bp.get("/articles/<slug>/references/<key>")
def reference(slug: str, key: str):
    """A reference as cited by one article: a hover card for htmx, else a page of its own."""
    view, audience = _load_view(slug)
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
