"""Reading: home, search, topics, the article page and its swappable parts."""

import sqlalchemy as sa
from flask import Blueprint, abort, make_response, redirect, request, url_for

from blueprints.personalization.routes import audiences, current_audience
from blueprints.rendering import render_page, wants_fragment
from extensions import db
from models import GlossaryTerm, Topic
from services import followups, reading
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


@bp.get("/glossary")
def glossary():
    """Every glossary term with its plain definition; inline terms link here."""
    terms = db.session.scalars(sa.select(GlossaryTerm).order_by(sa.func.lower(GlossaryTerm.term)))
    return render_page("articles/glossary.html", terms=list(terms))


@bp.get("/editorial-policy")
def policy():
    """How content is written, sourced, reviewed and corrected."""
    return render_page("articles/policy.html")


def _load_view(slug: str, *, explain_terms: bool = True):
    article = reading.find_article(slug) or abort(404)
    audience = current_audience()
    view = reading.build_view(
        article,
        audience.level,
        card_url=lambda key: url_for("articles.reference", slug=slug, key=key),
        glossary_url=(lambda term: url_for("articles.glossary", _anchor=term.slug))
        if explain_terms
        else None,
    )
    return view or abort(404), audience


def _article_context(view, audience) -> dict:
    return {
        "view": view,
        "audience": audience,
        "audiences": audiences(),
        # Fragment links carry the level, so a cached fragment is always for the right wording.
        "audience_param": audience.level.value if audience.chosen else None,
        "expanded": set(request.args.getlist("expand")),
        "refs_full": request.args.get("refs") == "full",
    }


@bp.get("/articles/<slug>")
def detail(slug: str):
    """The article page. `?role=` from the picker swaps the wording of the whole body in place;
    `?expand=` opens long sections; `?refs=full` the full reference list."""
    view, audience = _load_view(slug)
    picked = "role" in request.args
    if picked and not wants_fragment():
        return redirect(url_for("articles.detail", slug=slug, audience=audience.level.value))
    fragment = "article_body" if picked else "references" if request.args.get("refs") else None
    whole_page = {}
    if not (fragment and wants_fragment()):
        whole_page = {
            "related": reading.related_articles(view.article),
            "readers_asked": followups.answered_for(view.article),
            "structured_data": reading.structured_data(
                view, url_for("articles.detail", slug=slug, _external=True)
            ),
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
    return response


@bp.get("/articles/<slug>/sections/<int:section_id>")
def section(slug: str, section_id: int):
    """One section, expanded or collapsed; without htmx, the article opened at that section."""
    view, audience = _load_view(slug)
    shown = view.section(section_id) or abort(404)
    expand = request.args.get("expanded") == "1"
    if not request.htmx:
        args = {"expand": shown.anchor} if expand else {}
        return redirect(url_for("articles.detail", slug=slug, **args, _anchor=shown.anchor))
    context = _article_context(view, audience) | {"expanded": {shown.anchor} if expand else set()}
    return render_page("articles/detail.html", fragment="article_section", sv=shown, **context)


@bp.get("/articles/<slug>/references/<key>")
def reference(slug: str, key: str):
    """A reference as cited by one article: a hover card for htmx, else a page of its own."""
    view, _audience = _load_view(slug, explain_terms=False)  # only its number is needed
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
