"""Revision permalinks, the print view and the article PDF (services/reading/printing.py).

- `/articles/SLUG/revisions/N`: that revision through the article template, whole, saying when a
  newer reviewed version exists (noindex and canonical to the article, unless it is current).
- `/articles/SLUG/print` (the current revision) and `/articles/SLUG/revisions/N/print`: a page of
  its own made for paper, every section in full, at `?audience=` (else the reader's audience).
- `/articles/SLUG.pdf` and `/articles/SLUG/revisions/N.pdf`: that page as a PDF, made once per
  print view and kept (caching/pdfs.py); making one is rate limited, serving a kept one is not.
"""

from __future__ import annotations

from flask import Response, abort, current_app, make_response, render_template, request, url_for
from flask_limiter.util import get_remote_address
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from blueprints.articles.routes import LEVELS, _article_context, _build_view, _public_article, bp
from caching.headers import ARTICLE, shared
from caching.pages import cached_page
from extensions import limiter
from services.followups import answers
from services.reading import printing
from services.reading.view import build_view, load_revision
from web.assets import file_for
from web.audience import audiences, current_audience
from web.language import current_language
from web.rendering import render_page

LEVEL_ARGS = {"audience": LEVELS}


def _edition(slug: str, number: int | None):
    """The article and the edition asked for (the current one without a number), else 404."""
    article = _public_article(slug)
    if number is None:
        found = printing.current_edition(article)
    else:
        found = printing.edition(article, number)
    return article, found or abort(404)


def _view(article, edition):
    """The edition at the reader's audience. The current one shares the article page's cached
    rendering; another has no hover cards (the article's cards number the current revision)."""
    if edition.is_current:
        return _build_view(article, None)
    audience = current_audience()
    view = build_view(
        article,
        audience.level,
        card_url=None,
        glossary_url=lambda term: url_for("articles.glossary", _anchor=term.slug),
        revision=load_revision(edition.revision.id, current_language()),
        language=current_language(),
    )
    return view or abort(404), audience


def _addresses(slug: str, edition, level: str) -> dict:
    number = edition.revision.number
    return {
        "permalink_url": url_for(
            "articles.revision", slug=slug, number=number, audience=level, _external=True
        ),
        "current_url": url_for("articles.detail", slug=slug, _external=True),
    }


@bp.get("/articles/<slug>/revisions/<int:number>")
@shared(**ARTICLE, args=("audience",), audience=True)
@cached_page(args=LEVEL_ARGS)
def revision(slug: str, number: int):
    """One revision at an address that keeps working: approved ones always, the one readers
    see under the caution banner while they do; everything in full, no picker."""
    article, edition = _edition(slug, number)
    view, audience = _view(article, edition)
    context = _article_context(view, audience) | {"expanded": {"all"}, "refs_full": True}
    return render_page(
        "articles/detail.html",
        permalink=edition,
        levels=audiences().levels,
        readers_asked=answers.answered_for(article),
        **_addresses(slug, edition, view.level.value),
        **context,
    )


def _print_context(slug: str, number: int | None) -> dict:
    article, edition = _edition(slug, number)
    view, audience = _view(article, edition)
    level = view.level.value
    pdf_url = (
        url_for("articles.pdf", slug=slug, audience=level)
        if number is None
        else url_for("articles.revision_pdf", slug=slug, number=number, audience=level)
    )
    return {
        "view": view,
        "edition": edition,
        "audiences": audiences(),
        "pdf_url": pdf_url,
        "page_url": url_for(request.endpoint, **(request.view_args or {})),
        **_addresses(slug, edition, level),
    }


@bp.get("/articles/<slug>/print")
@shared(**ARTICLE, args=("audience",), audience=True)
@cached_page(args=LEVEL_ARGS)
def print_view(slug: str):
    """The article as readers see it now, laid out for paper: every section in full, the
    references with what was read, the review record and this revision's own address."""
    return render_template("articles/print.html", **_print_context(slug, None))


@bp.get("/articles/<slug>/revisions/<int:number>/print")
@shared(**ARTICLE, args=("audience",), audience=True)
@cached_page(args=LEVEL_ARGS)
def revision_print(slug: str, number: int):
    """One revision laid out for paper (the print view of a permalink)."""
    return render_template("articles/print.html", **_print_context(slug, number))


def _limit_generation() -> None:
    """Making a PDF costs about a second of CPU: a client may make PDF_RATE_LIMIT of them."""
    if not getattr(limiter, "enabled", True):
        return
    for item in parse_many(current_app.config["PDF_RATE_LIMIT"]):
        if not limiter.limiter.hit(item, "article-pdf", get_remote_address()):
            raise TooManyRequests()


def _pdf(slug: str, number: int | None) -> Response:
    context = _print_context(slug, number)
    # The PDF's HTML leaves out the screen's toolbar, so both addresses of a revision share it.
    html = render_template("articles/print.html", for_pdf=True, **context)
    view = context["view"]
    # Keyed by the page's language too: storing one deletes only its own language's older PDFs.
    key = printing.pdf_key(view.revision, view.level, html, view.language)
    if request.if_none_match.contains(key):
        response = Response(status=304)
        response.set_etag(key)
        return response
    body, made = printing.stored_pdf(key), "hit"
    if body is None:
        _limit_generation()
        body = printing.make_pdf(
            key,
            html,
            revision=view.revision,
            level=view.level,
            base_url=request.host_url,
            static_file=file_for,
            cap=current_app.config["PDF_CACHE_MAX_ROWS"],
            language=view.language,
        )
        made = "miss"
    response = make_response(body)
    response.mimetype = "application/pdf"
    filename = printing.pdf_filename(slug, view.level)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["X-PDF-Cache"] = made
    response.set_etag(key)
    return response


@bp.get("/articles/<slug>.pdf")
@shared(**ARTICLE, args=("audience",), audience=True)
def pdf(slug: str):
    """The print view of the current revision as a PDF, at `?audience=` or the reader's own."""
    return _pdf(slug, None)


@bp.get("/articles/<slug>/revisions/<int:number>.pdf")
@shared(**ARTICLE, args=("audience",), audience=True)
def revision_pdf(slug: str, number: int):
    """The print view of one revision as a PDF."""
    return _pdf(slug, number)
