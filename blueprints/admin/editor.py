"""The editor: question, topics, sections × reading levels, the live preview beside the text,
the citation helper, and conflicts shown side by side to merge.

A refused save re-renders the editor with every field as typed: 422 for content problems, 409 for
a conflict (with both sides' changes), 403 for a lock or a role that may not. A save whose
session or form token was lost comes back as typed too (`keeps_typed_text`), with a way to sign
in again in a new tab.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from blueprints.admin.articles import (
    all_topics,
    find_article,
    hold,
    latest_revision,
)
from blueprints.admin.base import acting_user, bp, requires
from blueprints.admin.editor_form import (  # noqa: F401 (PreviewMode, reader_context: re-exported)
    PreviewMode,
    _draft_preview,
    _form_for,
    _form_from_rows,
    _posted_form,
    _preview_level,
    editor_language,
    reader_context,
)
from blueprints.admin.forms import ArticleForm
from extensions import db
from models import SOURCE_LANGUAGE, Article, ReadingLevel, Revision, Topic
from services.editorial import conflicts, editing, editor_languages, inputs, revisions
from services.editorial import review as review_service
from services.editorial.editor_languages import translation_languages
from services.errors import Conflict, DomainError, InvalidTransition, NotPermitted
from services.followups import promotion
from services.reading.view import load_revision
from services.staff.permissions import Permission
from web.audience import audiences
from web.rescue import Reason, keeps_typed_text

SAVE_ACTIONS = ("save", "save-close", "save-submit")
LOCK_ACTIONS = ("lock", "unlock")


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


def _conflict(article: Article, form: ArticleForm, topics: list[Topic]):
    """Both sides of a conflict already shown, kept on screen while the editor merges."""
    base_id, seen_id = form.conflict_base, form.based_on
    if base_id is None or seen_id is None:
        return None
    base, seen = load_revision(base_id), load_revision(seen_id)
    if not (base and seen and base.article_id == article.id == seen.article_id):
        return None
    return _conflict_view(base, seen, form, topics)


def _conflict_view(base: Revision | None, latest: Revision, form: ArticleForm, topics):
    chosen = set(form.topics.data or [])
    sections = editing.section_inputs(form.rows())
    questions = form.question_translations
    if form.translated is None and base is not None:
        # A post without translations keeps them (the carry-over rule): compare as kept.
        inputs.carry_translations(sections, base)
        questions = dict(base.question_translations or {})
    mine = conflicts.form_snapshot(
        form.question.data or "",
        sections,
        [t.name for t in topics if t.id in chosen],
        form.next_review_on.data,
        questions,
    )
    return conflicts.conflict_view(base, latest, mine, {t.id: t.name for t in topics})


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
        latest = latest_revision(article)
    preview = preview_body = None
    if signed_out is None:
        if conflict is None and article is not None:
            conflict = _conflict(article, form, topics)
        subject = article or Article(slug="new-article", question=form.question.data or "")
        preview, preview_body = _draft_preview(subject, form, latest, topics)
    languages = translation_languages()
    names = {lang.code: lang.english_name for lang in languages}
    language = editor_language()
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
        "wording_languages": languages,
        "editor_language": language,
        "language_name": names.get(language, "English"),
        "markers": editor_languages.markers(latest, language)
        if language != SOURCE_LANGUAGE
        else {},
        "ease_targets": editor_languages.level_targets(language),
        "promoted_from": (
            promotion.promoted_from(article) if article is not None and signed_out is None else None
        ),
    }
    return render_template("admin/edit.html", **context), status


def _rescue_editor(reason: Reason):
    """The editor's answer when the session or form token is gone: the posted text, as typed,
    with a sign-in link that opens in a new tab; nothing from the database but public topics."""
    topics = all_topics()
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
            revisions.lock(target.article, actor=acting_user())
        else:
            revisions.unlock(target.article, actor=acting_user())
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
    topics = all_topics()
    target = EditorTarget(None, None)
    if request.method == "GET":
        return _editor(target, _form_from_rows({}, editing.starter_rows(), topics), topics)

    def save(form: ArticleForm):
        try:
            article = revisions.create_article(
                question=form.question.data,
                topics=_selected_topics(form, topics),
                actor=acting_user(),
            )
            revision, _saved = _write(article, form, topics, based_on_id=None)
            created, label = article.id, revision.label.lower()  # before the commit expires them
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            return _editor(target, form, topics, status=_status(error), message=_refused(error))
        except sa.exc.IntegrityError:
            db.session.rollback()  # another article took the same address at the same moment
            message = "Nothing was saved: press the button again to create the article."
            return _editor(target, form, topics, status=409, message=message)
        if _submitting():
            flash(f"Created the article and submitted {label} for review.", "success")
            return redirect(url_for("admin.article", article_id=created), 303)
        flash(f"Created the article as a draft ({label}).", "success")
        return redirect(_editor_url(created), 303)

    return _handle_editor_post(target, topics, save)


def _posted_revision(form: ArticleForm, topics: list[Topic], *, based_on_id) -> dict:
    """What the editor's form says a new revision holds, as `save_revision` and
    `save_and_submit` take it."""
    return {
        "author": acting_user(),
        "question": form.question.data,
        "sections": editing.section_inputs(form.rows()),
        "change_note": form.change_note.data or "",
        "based_on_id": based_on_id,
        "topics": _selected_topics(form, topics),
        "next_review_on": form.next_review_on.data,
        "question_translations": form.question_translations,
    }


def _save(article: Article, form: ArticleForm, topics: list[Topic], *, based_on_id) -> Revision:
    return revisions.save_revision(
        article, **_posted_revision(form, topics, based_on_id=based_on_id)
    )


def _submitting() -> bool:
    return request.form.get("action") == "save-submit"


def _write(article: Article, form: ArticleForm, topics: list[Topic], *, based_on_id):
    """Save the text, or for "Save and submit for review" save and submit it in the same
    transaction (a text unchanged since a saved draft submits that draft): (revision, saved).

    If the submit is refused, nothing is kept, the save included: the button promised both,
    and a draft saved but not sent would look sent. The editor comes back with the text as
    typed and the reason, and "Save draft" still saves it as it is."""
    if not _submitting():
        return _save(article, form, topics, based_on_id=based_on_id), True
    return review_service.save_and_submit(
        article, **_posted_revision(form, topics, based_on_id=based_on_id)
    )


def _refused(error: DomainError) -> str:
    if not _submitting():
        return str(error)
    return f"{error} Nothing was saved or submitted: your text is below as you left it."


def _status(error: DomainError) -> int:
    """Content problems are 422 (the form needs changing); a lock or a role stays 403, and a
    submit the revision's state refuses 409."""
    if isinstance(error, NotPermitted | Conflict | InvalidTransition):
        return error.status_code
    return 422


@bp.route("/articles/<int:article_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT)
@keeps_typed_text(_rescue_editor)
def edit(article_id: int):
    """The editor: question, topics, sections × reading levels, with a live preview."""
    article = find_article(article_id)
    topics = all_topics()
    target = EditorTarget(article, article.id)
    if request.method == "GET":
        latest = latest_revision(article)
        return _editor(target, _form_for(article, latest, topics), topics, latest=latest)

    def save(form: ArticleForm):
        try:
            hold(article)
            revision, saved = _write(article, form, topics, based_on_id=form.based_on)
            label = revision.label.lower()  # before the commit expires it
            db.session.commit()
        except Conflict as error:
            db.session.rollback()
            return _show_conflict(target, form, topics, error)
        except DomainError as error:
            db.session.rollback()
            return _editor(target, form, topics, status=_status(error), message=_refused(error))
        except sa.exc.IntegrityError:
            db.session.rollback()
            return _show_conflict(target, form, topics, _simultaneous(article, form.based_on))
        if _submitting():
            done = f"Saved {label} and submitted it" if saved else f"Submitted {label}"
            flash(f"{done} for review.", "success")
            return redirect(url_for("admin.article", article_id=article_id), 303)
        flash(f"Saved {label} as a draft.", "success")
        if request.form.get("action") == "save-close":
            return redirect(url_for("admin.article", article_id=article_id), 303)
        return redirect(_editor_url(article_id), 303)

    return _handle_editor_post(target, topics, save)


def _editor_url(article_id: int) -> str:
    """The editor again, in the language it was showing."""
    language = editor_language()
    if language == SOURCE_LANGUAGE:
        return url_for("admin.edit", article_id=article_id)
    return url_for("admin.edit", article_id=article_id, language=language)


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
    latest = load_revision(error.latest.id)
    assert latest is not None
    base = load_revision(error.base_id) if error.base_id is not None else None
    if base is not None and base.article_id != article.id:
        base = None
    conflict = _conflict_view(base, latest, form, topics)
    # They have now seen the other revision: saving again builds on it (after merging).
    form.based_on_id.data = str(latest.id)
    form.conflict_base_id.data = str(base.id) if base else ""
    return _editor(target, form, topics, status=409, message=str(error), conflict=conflict)
