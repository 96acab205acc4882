"""The editor's form and preview, apart from its routes (blueprints/admin/editor.py): the form
built from a revision or from a post (every language's wording included), the language the
editor shows, and the unsaved text rendered as readers would see it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from blueprints.admin.articles import glossary_url
from blueprints.admin.forms import ArticleForm
from models import SOURCE_LANGUAGE, Article, ReadingLevel, Revision, Topic
from services.editorial import editing
from services.editorial.editor_languages import translation_languages
from services.reading.languages import readability_formulas
from services.reading.personalization import Audience
from services.reading.view import ArticleView
from web.audience import audiences


def _posted_form(topics: list[Topic]) -> ArticleForm:
    form = ArticleForm()
    form.set_topics(topics)
    form.read_translations(request.form, [lang.code for lang in translation_languages()])
    return form


def _form_from_rows(values: dict, rows: list[dict], topics: list[Topic]) -> ArticleForm:
    values = dict(values)
    questions = values.pop("question_translations", None)
    form = ArticleForm(formdata=None, **values, sections=rows)
    form.set_topics(topics)
    form.set_translations(rows, questions)
    return form


def editor_language() -> str:
    """The language whose wording the editor shows (`?language=es`, kept by the form as
    `editor_language`; the switch's buttons post `action=language:CODE`): English unless
    another language row names it."""
    action = request.form.get("action", "")
    if action.startswith("language:"):
        code = action.partition(":")[2]
    else:
        code = request.form.get("editor_language") or request.args.get("language") or ""
    if code and code in {lang.code for lang in translation_languages()}:
        return code
    return SOURCE_LANGUAGE


def _form_for(article: Article, latest: Revision | None, topics: list[Topic]) -> ArticleForm:
    """The editor form filled from the latest revision."""
    if latest is None:
        values = {"question": article.question, "topics": [t.id for t in article.topics]}
        return _form_from_rows(values, editing.starter_rows(), topics)
    topic_ids = latest.topic_ids if latest.topic_ids is not None else [t.id for t in article.topics]
    values = {
        "based_on_id": str(latest.id),
        "question": latest.question,
        "question_translations": dict(latest.question_translations or {}),
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


def reader_context(view: ArticleView, preview: PreviewMode) -> dict:
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
        questions=form.question_translations,
        formulas=readability_formulas(),
    )
    result = editing.preview_draft(
        article,
        revision,
        _preview_level(),
        levels=audiences().levels,
        glossary_url=glossary_url,
        language=editor_language(),
    )
    mode = PreviewMode(revision, [t for t in topics if t.id in chosen], [])
    body = render_block("articles/detail.html", "article_body", **reader_context(result.view, mode))
    return result, Markup(body)
