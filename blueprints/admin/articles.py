"""Articles in the staff area: the list, an article's staff page, the editor with its live
preview and citation helper, previews of any revision, history, compare, restore, locks and
submission for review.

Every form is a plain POST → redirect → GET. A refused save re-renders the editor with every
field as typed: 422 for content problems, 409 for a conflict (with both sides' changes), 403 for
a lock or a role that may not. A save whose session or form token was lost comes back as typed
too (`keeps_typed_text`), with a way to sign in again in a new tab.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from blueprints.admin.base import bp, requires
from blueprints.admin.forms import ArticleForm
from extensions import db
from models import Article, ReadingLevel, ReviewStatus, Revision, Topic
from services.editorial import editing, publishing
from services.editorial import review as review_service
from services.editorial.checks import check_revision
from services.editorial.diffing import diff
from services.editorial.dossier import snapshot_of
from services.errors import Conflict, DomainError, NotPermitted
from services.followups import questions as followups
from services.reading import view as reading
from services.reading.personalization import Audience
from services.search import normalise_query
from services.staff.permissions import Permission
from web.audience import audiences
from web.redirects import safe_next
from web.rendering import render_page, wants_fragment
from web.rescue import Reason, keeps_typed_text

SAVE_ACTIONS = ("save", "save-close")
LOCK_ACTIONS = ("lock", "unlock")


def _user():
    return current_user._get_current_object()


def _article(article_id: int) -> Article:
    return db.session.get(Article, article_id) or abort(404)


def _latest(article: Article) -> Revision | None:
    """The article's latest revision with its sections and variants (three queries)."""
    if article.latest_revision_id is None:
        return None
    return reading.load_revision(article.latest_revision_id)


def _topics() -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).order_by(Topic.name)))


def _glossary_url(term) -> str:
    return url_for("articles.glossary", _anchor=term.slug)


# -- The list and the staff page -----------------------------------------------------------


@bp.get("/articles")
@requires(Permission.VIEW_STAFF)
def articles():
    """Every article with its live and latest revision, filtered and paged by plain links."""
    topics = _topics()
    status = request.args.get("status", "")
    status_filter = ReviewStatus(status) if status in set(ReviewStatus) else None
    topic = next((t for t in topics if t.slug == request.args.get("topic")), None)
    text = normalise_query(request.args.get("q", ""))
    listing = editing.staff_articles(
        status=status_filter,
        topic=topic,
        text=text,
        page=request.args.get("page", 1, type=int),
    )
    filters = {
        "status": status_filter.value if status_filter else None,
        "topic": topic.slug if topic else None,
        "q": text or None,
    }
    return render_page(
        "admin/articles.html",
        listing=listing,
        topics=topics,
        filters=filters,
        statuses=[s for s in ReviewStatus if s != ReviewStatus.SUPERSEDED],
    )


@bp.get("/articles/<int:article_id>")
@requires(Permission.VIEW_STAFF)
def article(article_id: int):
    """An article's staff page: live and latest revisions, pending review, lock, actions."""
    return _staff_page(_article(article_id))


def _staff_page(article: Article, *, message: str | None = None, status: int = 200):
    latest = _latest(article)
    user = _user()
    context = {
        "article": article,
        "latest": latest,
        "live": article.live_revision,
        "pending": publishing.pending_revision(article),
        "actions": review_service.actions_for(latest, user) if latest else [],
        "findings": check_revision(latest) if latest else None,
        "recent": editing.recent_revisions(article),
        "promoted_from": followups.promoted_from(article),
        "message": message,
    }
    return render_template("admin/article.html", **context), status


# -- The editor ----------------------------------------------------------------------------


@dataclass
class EditorTarget:
    """Where the editor form posts and previews: an existing article, or a new one."""

    article: Article | None
    article_id: int | None

    @property
    def action_url(self) -> str:
        if self.article_id is None:
            return url_for("admin.new_article")
        return url_for("admin.edit", article_id=self.article_id)

    @property
    def preview_url(self) -> str:
        if self.article_id is None:
            return url_for("admin.preview_draft")
        return url_for("admin.preview_draft", article_id=self.article_id)


def _posted_form(topics: list[Topic]) -> ArticleForm:
    form = ArticleForm()
    form.set_topics(topics)
    return form


def _form_from_rows(values: dict, rows: list[dict], topics: list[Topic]) -> ArticleForm:
    form = ArticleForm(formdata=None, **values, sections=rows)
    form.set_topics(topics)
    return form


def _form_for(article: Article, latest: Revision | None, topics: list[Topic]) -> ArticleForm:
    """The editor form filled from the latest revision."""
    if latest is None:
        values = {"question": article.question, "topics": [t.id for t in article.topics]}
        return _form_from_rows(values, editing.starter_rows(), topics)
    topic_ids = latest.topic_ids if latest.topic_ids is not None else [t.id for t in article.topics]
    values = {
        "based_on_id": str(latest.id),
        "question": latest.question,
        "topics": topic_ids,
        "next_review_on": latest.next_review_on,
    }
    return _form_from_rows(values, editing.rows_from_revision(latest), topics)


def _preview_level() -> ReadingLevel:
    return ReadingLevel.parse(request.form.get("preview_level")) or ReadingLevel.CLINICAL


@dataclass
class PreviewMode:
    """What articles/detail.html needs to know when it renders for staff, not readers."""

    revision: Revision
    topics: list[Topic]
    levels: list
    # Where readers can read this revision: "public" (the article page), "pending" (the page of
    # a revision waiting for review), or "" (nowhere).
    shown_to_readers: str = ""


def _reader_context(view: reading.ArticleView, preview: PreviewMode) -> dict:
    """The context articles/detail.html renders with, for a staff preview at `view.level`."""
    levels = audiences().levels
    return {
        "view": view,
        "audience": Audience(None, view.level, levels.get(view.level)),
        "audiences": audiences(),
        "audience_param": None,
        "expanded": {"all"},
        "refs_full": True,
        "swapping": False,
        "preview": preview,
    }


def _draft_preview(
    article: Article, form: ArticleForm, latest: Revision | None, topics: list[Topic]
) -> tuple[editing.DraftPreview, Markup]:
    """The unsaved text as readers would see it (the article page's own block), with checks."""
    chosen = set(form.topics.data or [])
    revision = editing.draft_revision(
        question=form.question.data or "",
        sections=editing.section_inputs(form.rows()),
        topic_ids=sorted(chosen),
        next_review_on=form.next_review_on.data,
        number=(latest.number + 1) if latest else 1,
    )
    result = editing.preview_draft(
        article, revision, _preview_level(), levels=audiences().levels, glossary_url=_glossary_url
    )
    mode = PreviewMode(revision, [t for t in topics if t.id in chosen], [])
    body = render_block(
        "articles/detail.html", "article_body", **_reader_context(result.view, mode)
    )
    return result, Markup(body)


def _conflict(article: Article, form: ArticleForm, topics: list[Topic]):
    """Both sides of a conflict already shown, kept on screen while the editor merges."""
    base_id, seen_id = form.conflict_base, form.based_on
    if base_id is None or seen_id is None:
        return None
    base, seen = reading.load_revision(base_id), reading.load_revision(seen_id)
    if not (base and seen and base.article_id == article.id == seen.article_id):
        return None
    return _conflict_view(base, seen, form, topics)


def _conflict_view(base: Revision | None, latest: Revision, form: ArticleForm, topics):
    chosen = set(form.topics.data or [])
    mine = editing.form_snapshot(
        form.question.data or "",
        editing.section_inputs(form.rows()),
        [t.name for t in topics if t.id in chosen],
        form.next_review_on.data,
    )
    return editing.conflict_view(base, latest, mine, {t.id: t.name for t in topics})


def _editor(
    target: EditorTarget,
    form: ArticleForm,
    topics: list[Topic],
    *,
    status: int = 200,
    message: str | None = None,
    conflict=None,
    signed_out: Reason | None = None,
    latest: Revision | None = None,
):
    """The editor page: the form as given, the lock, any conflict, and the live preview."""
    article = target.article
    if latest is None and article is not None:
        latest = _latest(article)
    preview = preview_body = None
    if signed_out is None:
        if conflict is None and article is not None:
            conflict = _conflict(article, form, topics)
        subject = article or Article(slug="new-article", question=form.question.data or "")
        preview, preview_body = _draft_preview(subject, form, latest, topics)
    context = {
        "form": form,
        "target": target,
        "latest": latest,
        "levels": audiences().levels,
        "level_order": editing.LEVEL_ORDER,
        "conflict": conflict,
        "message": message,
        "signed_out": signed_out,
        "preview": preview,
        "preview_body": preview_body,
        "preview_level": _preview_level() if request.method == "POST" else ReadingLevel.CLINICAL,
        "promoted_from": (
            followups.promoted_from(article) if article is not None and signed_out is None else None
        ),
    }
    return render_template("admin/edit.html", **context), status


def _rescue_editor(reason: Reason):
    """The editor's answer when the session or form token is gone: the posted text, as typed,
    with a sign-in link that opens in a new tab; nothing from the database but public topics."""
    topics = _topics()
    target = EditorTarget(None, (request.view_args or {}).get("article_id"))
    status = 401 if reason == "signed_out" else 400
    return _editor(target, _posted_form(topics), topics, status=status, signed_out=reason)


def _handle_editor_post(target: EditorTarget, topics: list[Topic], save):
    """The editor's POST: rearrange, lock, preview or save (`save(form)` → response)."""
    form = _posted_form(topics)
    action = request.form.get("action", "save")
    if action in LOCK_ACTIONS and target.article is not None:
        return _lock_from_editor(target, form, topics, action)
    if action not in SAVE_ACTIONS:
        rows = editing.rearrange(form.rows(), action)
        if rows != form.rows():
            form = _form_from_rows(form.values(), rows, topics)
        return _editor(target, form, topics)
    if not form.validate():
        return _editor(
            target,
            form,
            topics,
            status=422,
            message="Nothing was saved yet: fix what is marked below, then save again.",
        )
    return save(form)


def _lock_from_editor(target: EditorTarget, form: ArticleForm, topics, action: str):
    """Lock or unlock from inside the editor, keeping everything typed on screen."""
    assert target.article is not None
    try:
        if action == "lock":
            publishing.lock(target.article, actor=_user())
        else:
            publishing.unlock(target.article, actor=_user())
    except DomainError as error:
        db.session.rollback()
        return _editor(target, form, topics, status=error.status_code, message=str(error))
    db.session.commit()
    flash("Locked: nobody else can save until you unlock it." if action == "lock" else "Unlocked.")
    return _editor(target, form, topics)


def _selected_topics(form: ArticleForm, topics: list[Topic]) -> list[Topic]:
    chosen = set(form.topics.data or [])
    return [t for t in topics if t.id in chosen]


@bp.route("/articles/new", methods=["GET", "POST"])
@requires(Permission.EDIT)
@keeps_typed_text(_rescue_editor)
def new_article():
    """A new article and its first revision in one step, then on to the editor."""
    topics = _topics()
    target = EditorTarget(None, None)
    if request.method == "GET":
        return _editor(target, _form_from_rows({}, editing.starter_rows(), topics), topics)

    def save(form: ArticleForm):
        try:
            article = publishing.create_article(
                question=form.question.data, topics=_selected_topics(form, topics), actor=_user()
            )
            revision = _save(article, form, topics, based_on_id=None)
            created, label = article.id, revision.label.lower()  # before the commit expires them
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            return _editor(target, form, topics, status=_status(error), message=str(error))
        except sa.exc.IntegrityError:
            db.session.rollback()  # another article took the same address at the same moment
            message = "Nothing was saved: press the button again to create the article."
            return _editor(target, form, topics, status=409, message=message)
        flash(f"Created the article as a draft ({label}).", "success")
        return redirect(url_for("admin.edit", article_id=created), 303)

    return _handle_editor_post(target, topics, save)


def _save(article: Article, form: ArticleForm, topics: list[Topic], *, based_on_id) -> Revision:
    return publishing.save_revision(
        article,
        author=_user(),
        question=form.question.data,
        sections=editing.section_inputs(form.rows()),
        change_note=form.change_note.data or "",
        based_on_id=based_on_id,
        topics=_selected_topics(form, topics),
        next_review_on=form.next_review_on.data,
    )


def _status(error: DomainError) -> int:
    """Content problems are 422 (the form needs changing); a lock or a role stays 403."""
    return error.status_code if isinstance(error, NotPermitted | Conflict) else 422


@bp.route("/articles/<int:article_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT)
@keeps_typed_text(_rescue_editor)
def edit(article_id: int):
    """The editor: question, topics, sections × reading levels, with a live preview."""
    article = _article(article_id)
    topics = _topics()
    target = EditorTarget(article, article.id)
    if request.method == "GET":
        latest = _latest(article)
        return _editor(target, _form_for(article, latest, topics), topics, latest=latest)

    def save(form: ArticleForm):
        try:
            _hold(article)
            revision = _save(article, form, topics, based_on_id=form.based_on)
            label = revision.label.lower()  # before the commit expires it
            db.session.commit()
        except Conflict as error:
            db.session.rollback()
            return _show_conflict(target, form, topics, error)
        except DomainError as error:
            db.session.rollback()
            return _editor(target, form, topics, status=_status(error), message=str(error))
        except sa.exc.IntegrityError:
            db.session.rollback()
            return _show_conflict(target, form, topics, _simultaneous(article, form.based_on))
        flash(f"Saved {label} as a draft.", "success")
        if request.form.get("action") == "save-close":
            return redirect(url_for("admin.article", article_id=article_id), 303)
        return redirect(url_for("admin.edit", article_id=article_id), 303)

    return _handle_editor_post(target, topics, save)


def _hold(article: Article) -> None:
    """Lock the article's row until the commit (PostgreSQL; SQLite writes one at a time), so
    two saves of one article are checked for conflicts one after the other."""
    db.session.refresh(article, with_for_update={"key_share": True})


def _simultaneous(article: Article, base_id: int | None) -> Conflict:
    """A save that lost a race the row lock did not prevent (SQLite: the unique revision
    number refused the second one): the same answer as any other conflict."""
    db.session.refresh(article)
    latest = article.latest_revision
    assert latest is not None
    who = latest.author.name if latest.author else "Someone"
    return Conflict(
        f"{who} saved {latest.label.lower()} at the same moment. Compare the changes, merge "
        "them into your text and save again.",
        latest=latest,
        base_id=base_id,
    )


def _show_conflict(target: EditorTarget, form: ArticleForm, topics, error: Conflict):
    """Someone saved first: show their changes beside yours; the next save builds on theirs."""
    article = target.article
    assert article is not None
    latest = reading.load_revision(error.latest.id)
    assert latest is not None
    base = reading.load_revision(error.base_id) if error.base_id is not None else None
    if base is not None and base.article_id != article.id:
        base = None
    conflict = _conflict_view(base, latest, form, topics)
    # They have now seen the other revision: saving again builds on it (after merging).
    form.based_on_id.data = str(latest.id)
    form.conflict_base_id.data = str(base.id) if base else ""
    return _editor(target, form, topics, status=409, message=str(error), conflict=conflict)


def _rescue_preview(reason: Reason):
    """The live preview while signed out: say so in the panel; the text stays in the editor."""
    body = render_block(
        "admin/edit.html",
        "preview_panel",
        signed_out=reason,
        preview=None,
        preview_body=None,
        levels={},
        level_order=[],
    )
    return body, 401 if reason == "signed_out" else 400


@bp.post("/articles/new/preview", defaults={"article_id": None})
@bp.post("/articles/<int:article_id>/preview")
@requires(Permission.EDIT)
@keeps_typed_text(_rescue_preview)
def preview_draft(article_id: int | None):
    """The live preview of the unsaved text, exactly as readers will see it, with its checks.

    htmx swaps the panel; without JavaScript this is the whole editor with the preview updated.
    """
    topics = _topics()
    article = _article(article_id) if article_id is not None else None
    target = EditorTarget(article, article_id)
    form = _posted_form(topics)
    if not wants_fragment():
        return _editor(target, form, topics)
    latest = None
    if article is not None and article.latest_revision_id:
        latest = db.session.get(Revision, article.latest_revision_id)
    subject = article or Article(slug="new-article", question=form.question.data or "")
    preview, body = _draft_preview(subject, form, latest, topics)
    return render_block(
        "admin/edit.html",
        "preview_panel",
        preview=preview,
        preview_body=body,
        levels=audiences().levels,
        level_order=editing.LEVEL_ORDER,
        signed_out=None,
    )


# -- Citation helper -----------------------------------------------------------------------


def _rescue_lookup(reason: Reason):
    """The citation helper while signed out: a note in its panel, never a redirect."""
    body = render_block("admin/cite_lookup.html", "cite_results", signed_out=reason)
    return body, 401 if reason == "signed_out" else 400


@bp.get("/citations")
@requires(Permission.VIEW_STAFF)
@keeps_typed_text(_rescue_lookup)
def cite_lookup():
    """Find a reference by author, title, key, DOI or PMID, to cite it as [@key]."""
    query = normalise_query(request.args.get("q", ""))
    found = editing.find_references(query) if query else []
    return render_page(
        "admin/cite_lookup.html",
        fragment="cite_results",
        q=query,
        references=found,
        inline=wants_fragment(),
        signed_out=None,
    )


# -- Preview, history, compare, restore ----------------------------------------------------


@bp.get("/revisions/<int:revision_id>/preview")
@requires(Permission.VIEW_STAFF)
def preview(revision_id: int):
    """Any revision exactly as the public page would show it, at `?audience=`; never public."""
    revision = reading.load_revision(revision_id) or abort(404)
    article = revision.article
    level = ReadingLevel.parse(request.args.get("audience")) or ReadingLevel.CLINICAL
    view = reading.build_view(
        article, level, card_url=None, glossary_url=_glossary_url, revision=revision
    )
    assert view is not None
    topic_ids = revision.topic_ids
    topics = (
        [t for t in _topics() if t.id in set(topic_ids)]
        if topic_ids is not None
        else article.topics
    )
    settings = audiences().levels
    pending = publishing.pending_revision(article)
    mode = PreviewMode(
        revision,
        topics,
        [settings[lv] for lv in reversed(editing.LEVEL_ORDER) if lv in settings],
        shown_to_readers="public"
        if article.public_revision_id == revision.id
        else "pending"
        if pending is not None and pending.id == revision.id
        else "",
    )
    response = make_response(render_template("articles/detail.html", **_reader_context(view, mode)))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/articles/<int:article_id>/history")
@requires(Permission.VIEW_STAFF)
def history(article_id: int):
    """Every revision of an article with its review record; compare, preview, restore."""
    return _history_page(_article(article_id))


def _history_page(article: Article, *, message: str | None = None, status: int = 200):
    revisions = editing.revision_history(article)
    return render_template(
        "admin/history.html", article=article, revisions=revisions, message=message
    ), status


@bp.get("/articles/<int:article_id>/compare")
@requires(Permission.VIEW_STAFF)
def compare(article_id: int):
    """Word-level differences between any two revisions of an article (`?a=` → `?b=`)."""
    article = _article(article_id)
    choices = editing.revision_history(article)
    if not choices:
        abort(404)
    by_id = {r.id: r for r in choices}
    newest = choices[0]
    b = by_id.get(request.args.get("b", type=int) or newest.id)
    default_a = choices[1].id if len(choices) > 1 else newest.id
    a = by_id.get(request.args.get("a", type=int) or default_a)
    if a is None or b is None:
        abort(404)
    old, new = reading.load_revision(a.id), reading.load_revision(b.id)
    names = editing.topic_names()
    return render_template(
        "admin/compare.html",
        article=article,
        revisions=choices,
        a=a,
        b=b,
        difference=diff(snapshot_of(old, names), snapshot_of(new, names)),
        levels=audiences().levels,
    )


@bp.post("/revisions/<int:revision_id>/restore")
@requires(Permission.EDIT)
def restore(revision_id: int):
    """Copy an old revision into a new draft; history is never rewritten."""
    revision = reading.load_revision(revision_id) or abort(404)
    article = revision.article
    article_id = article.id
    based_on = request.form.get("based_on_id", type=int)
    try:
        _hold(article)
        restored = publishing.restore_revision(revision, actor=_user(), based_on_id=based_on)
        message = f"Restored {revision.label.lower()} as a new draft, {restored.label.lower()}."
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        message = "Someone saved this article at the same moment: nothing was restored."
        return _history_page(article, message=message, status=409)
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, Conflict):
            message = (
                f"{error} Nothing was restored: the list below now shows that revision; "
                f"restore {revision.label.lower()} again if you still want it."
            )
            return _history_page(article, message=message, status=409)
        return _history_page(article, message=str(error), status=error.status_code)
    flash(message, "success")
    return redirect(url_for("admin.article", article_id=article_id), 303)


# -- Lock and submit -----------------------------------------------------------------------


def _back_to_article(article: Article):
    target = safe_next(request.form.get("next"), url_for("admin.article", article_id=article.id))
    return redirect(target, 303)


@bp.post("/articles/<int:article_id>/lock")
@requires(Permission.EDIT)
def lock(article_id: int):
    """Lock the article: nobody else can save until it is unlocked."""
    article = _article(article_id)
    try:
        publishing.lock(article, actor=_user())
    except DomainError as error:
        db.session.rollback()
        return _staff_page(article, message=str(error), status=error.status_code)
    db.session.commit()
    flash("Locked: nobody else can save this article until you unlock it.", "success")
    return _back_to_article(article)


@bp.post("/articles/<int:article_id>/unlock")
@requires(Permission.EDIT)
def unlock(article_id: int):
    """Release the lock (its holder, or an administrator for anyone's)."""
    article = _article(article_id)
    try:
        publishing.unlock(article, actor=_user())
    except DomainError as error:
        db.session.rollback()
        return _staff_page(article, message=str(error), status=error.status_code)
    db.session.commit()
    flash("Unlocked: anyone with editing rights can save again.", "success")
    return _back_to_article(article)


@bp.post("/revisions/<int:revision_id>/submit")
@requires(Permission.EDIT)
def submit(revision_id: int):
    """Send the latest revision to the Medical Advisory Board."""
    revision = db.session.get(Revision, revision_id) or abort(404)
    article = revision.article
    try:
        review_service.submit(revision, actor=_user())
    except DomainError as error:
        db.session.rollback()
        return _staff_page(article, message=str(error), status=error.status_code)
    db.session.commit()
    flash(f"Submitted {revision.label.lower()} for review.", "success")
    return redirect(url_for("admin.article", article_id=article.id), 303)
