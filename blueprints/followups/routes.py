"""Follow-up questions from readers: ask under an article, get the instant answer in place, and
follow the question through a private link. No account and no personal data are asked for.

Every response here is private (`no-store`, `noindex`, no referrer): most carry the private link.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from extensions import db, limiter
from models import SOURCE_LANGUAGE
from services.errors import DomainError
from services.followups import answers, questions
from services.reading.view import find_article
from services.validation import without_control_characters
from web.audience import audiences, current_audience
from web.language import current_language
from web.limits import UnsafeCharacters
from web.rendering import render_page, wants_fragment

from .forms import AskForm, new_nonce

bp = Blueprint("followups", __name__)

MAX_SUGGEST_INPUT = 1_000


def _ask_limit() -> str:
    return current_app.config["FOLLOWUP_RATE_LIMIT"]


@bp.url_value_preprocessor
def _cap_body(_endpoint, _values) -> None:
    """Readers' forms are small: a body over the cap is refused (413) before anything reads it.

    URL value preprocessors run before every before_request hook, CSRF's included (it reads the
    form), so the cap holds for the whole request; staff editors elsewhere are not capped by it.
    """
    request.max_content_length = current_app.config["FOLLOWUP_MAX_BYTES"]


@bp.after_request
def _private(response):
    """Private links must not be cached, indexed, or leaked to other sites in a Referer."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _article(slug: str):
    return find_article(slug) or abort(404)


def _about(article) -> dict:
    """The article's question as the page's language words it (`about`), and `about_lang` when
    that is the English one standing in."""
    language, revision = current_language(), article.public_revision
    if language == SOURCE_LANGUAGE:
        return {"about": article.question, "about_lang": None}
    translated = (revision.question_translations or {}).get(language) if revision else None
    return {"about": translated or article.question, "about_lang": None if translated else "en"}


def _form_context(article, form: AskForm | None = None, **extra) -> dict:
    audience = current_audience()
    return {
        **_about(article),
        "article": article,
        "form": form,
        "audience_param": audience.level.value if audience.chosen else None,
        "levels": audiences().levels,
        **extra,
    }


def _refused(status: int, message: str):
    """A request refused before it could be read or stored: the message in the form's status
    line for htmx (the typed text stays in the textarea), else the ask page with the form."""
    if request.endpoint == "followups.suggest":
        # Suggestions are a nicety: when refused, show none rather than an error under the box.
        return render_page("followups/suggest.html", fragment="others_asked", found=[]), status
    slug = (request.view_args or {}).get("slug")
    article = find_article(slug) if request.endpoint == "followups.ask" and slug else None
    if article is None:
        return render_template("followups/refused.html", status=status, message=message), status
    if wants_fragment():
        response = make_response(render_template("followups/status.html", message=message), status)
        response.headers["HX-Retarget"] = "#followup-status"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    # A body over the cap was never read: that form gets a new nonce, the others keep theirs.
    typed = {} if status == 413 else request.form
    text, nonce = (without_control_characters(typed.get(k) or "") for k in ("text", "nonce"))
    form = AskForm(formdata=None, text=text, nonce=nonce or new_nonce())
    context = _form_context(article, form, message=message)
    return render_template("followups/ask.html", **context), status


@bp.errorhandler(TooManyRequests)
def _too_many(_error):
    return _refused(
        429,
        _(
            "You have asked several questions in a short time. Please wait a few minutes, then ask "
            "again: this question was not saved, and it is still in the box."
        ),
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    return _refused(
        413,
        _(
            "That was far too long to send. A question can be up to 1,000 characters; nothing was "
            "saved."
        ),
    )


@bp.errorhandler(UnsafeCharacters)
def _unsafe_characters(_error):
    return _refused(
        422,
        _(
            "Your question includes invisible control characters (often pasted in from another "
            "program), so it was not saved. Retype or paste it again as plain text, then ask again."
        ),
    )


@bp.errorhandler(CSRFError)
def _expired(_error):
    return _refused(
        400, _("This form expired. Reload the page and ask again; nothing was saved yet.")
    )


# Shared limits, named by scope: the English and the /es/ address of a route are one bucket, so
# asking on pages in two languages does not double what a client may send.
@bp.route("/articles/<slug>/questions", methods=["GET", "POST"])
@limiter.shared_limit(_ask_limit, scope="followups.ask", methods=["POST"])
def ask(slug: str):
    """Ask a follow-up: stored and committed first, then answered at once from what public
    articles say (in place with htmx; without it, on the private page the answer redirects to)."""
    article = _article(slug)
    form = AskForm()
    if request.method == "GET":
        fresh = AskForm(formdata=None, nonce=new_nonce())
        context = _form_context(article, fresh)
        return render_page("followups/ask.html", fragment="followup_ask", **context)
    form.nonce.data = form.client_nonce()  # kept when the form comes back with a message
    message = None
    if form.validate_on_submit():
        if form.website.data:
            message = _(
                "This looked like an automated submission, so it was not sent. If you are a "
                "person, clear the field labelled “Leave this field empty” and ask again."
            )
        else:
            try:
                asked = questions.ask(
                    article,
                    text=form.text.data,
                    level=current_audience().level,
                    client=form.nonce.data,
                    secret=current_app.config["SECRET_KEY"],
                    language=current_language(),
                )
            except DomainError as error:
                message = str(error)
            else:
                db.session.commit()  # stored before it is acknowledged
                if not wants_fragment():
                    return redirect(url_for(".track", token=asked.token, saved=1), 303)
                evidence = questions.evidence_for(asked.question)
                context = _form_context(article, form, asked=asked, evidence=evidence)
                return render_page("followups/ask.html", fragment="followup_ask", **context)
    context = _form_context(article, form, message=message, focus=True)
    return render_page("followups/ask.html", fragment="followup_ask", **context), 422


@bp.get("/questions/<token>")
def track(token: str):
    """The reader's private page: the question, its status, the instant answer, and the public
    answer once one is approved."""
    question = questions.find_by_token(token) or abort(404)
    audience = current_audience()
    return render_template(
        "followups/question.html",
        question=question,
        token=token,
        saved=request.args.get("saved") == "1",
        answer=answers.public_answer(question),
        evidence=questions.evidence_for(question),
        levels=audiences().levels,
        **_about(question.article),
        audience_param=audience.level.value if audience.chosen else None,
    )


@bp.post("/questions/<token>/delete")
def delete(token: str):
    """The reader deletes their question for good (a POST with CSRF, from the private page)."""
    question = questions.find_by_token(token) or abort(404)
    questions.delete_by_reader(question)
    db.session.commit()
    return redirect(url_for(".deleted"), 303)


@bp.get("/questions/deleted")
def deleted():
    """Confirms a deletion, without the (now dead) private link in the address bar."""
    return render_template("followups/deleted.html")


@bp.get("/questions/suggest")
@limiter.shared_limit("60 per minute", scope="followups.suggest")
def suggest():
    """ "Others asked" while a reader types: answered questions sharing its words."""
    text = request.args.get("text", "")[:MAX_SUGGEST_INPUT]
    found = questions.suggestions(text) if len(text.strip()) >= 3 else []
    return render_page("followups/suggest.html", fragment="others_asked", text=text, found=found)
