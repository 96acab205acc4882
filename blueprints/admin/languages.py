"""Languages as data: the list, "Add a language" and each language's page (names, readability
formula and targets, and its words for the picker's roles and the reading levels).
Administrators only, like the audience settings; reader pages follow on their next view."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from blueprints.admin.base import acting_user, bp, requires
from extensions import db
from models import SOURCE_LANGUAGE, Language
from services.reading.personalization import load_audiences
from services.staff import languages as language_settings
from services.staff.permissions import Permission
from services.validation import InvalidFields
from web import i18n

LEVELS = language_settings.LEVELS


def _posted(code: str) -> language_settings.LanguageInput:
    form = request.form
    audiences = load_audiences()
    return language_settings.LanguageInput(
        code=code,
        name=form.get("name", ""),
        english_name=form.get("english_name", ""),
        formula=form.get("formula", ""),
        enabled=form.get("enabled") == "yes",
        targets={lv: form.get(f"target-{lv.value}", "") for lv in LEVELS},
        role_labels={r.key: form.get(f"role-{r.key}", "") for r in audiences.roles},
        level_names={
            lv: (
                form.get(f"level-{lv.value}-language_name", ""),
                form.get(f"level-{lv.value}-audience_name", ""),
            )
            for lv in audiences.levels
        },
    )


def _stored(language: Language) -> language_settings.LanguageInput:
    labels, names, targets = language_settings.words_of(language.code)
    return language_settings.LanguageInput(
        code=language.code,
        name=language.name,
        english_name=language.english_name,
        formula=language.readability_formula,
        enabled=language.enabled,
        targets={lv: f"{targets[lv].target:g}" if lv in targets else "" for lv in LEVELS},
        role_labels=labels,
        level_names=names,
    )


def _page(data, *, new: bool, errors=None, status: int = 200):
    return render_template(
        "admin/languages.html",
        data=data,
        new=new,
        errors=errors or {},
        all_languages=language_settings.all_languages(),
        formulas=language_settings.FORMULAS,
        audiences=load_audiences(),
        levels=LEVELS,
        source=SOURCE_LANGUAGE,
    ), status


def _save(data, *, new: bool):
    if data.enabled and not i18n.has_catalog(data.code):
        # The catalog is code (translations/CODE), reviewed and deployed: a language's pages
        # open only once the site can speak it.
        message = (
            f"The site's own words have no translation into this language yet: add "
            f'translations/{data.code}/LC_MESSAGES/messages.po (see the README, "Languages and '
            'translations") and deploy it before enabling it.'
        )
        return _page(data, new=new, errors={"enabled": message}, status=422)
    try:
        language = language_settings.save_language(data, actor=acting_user(), new=new)
        code, name = language.code, language.english_name
        db.session.commit()
    except InvalidFields as error:
        db.session.rollback()
        return _page(data, new=new, errors=error.errors, status=error.status_code)
    flash(
        f"{'Added' if new else 'Saved'} {name}; reader pages use it from their next view.",
        "success",
    )
    return redirect(url_for("admin.language", language_code=code), 303)


@bp.route("/settings/languages", methods=["GET", "POST"])
@requires(Permission.SETTINGS)
def languages():
    """Every language, and a form to add one (disabled until its wording is ready)."""
    if request.method == "POST":
        return _save(_posted(request.form.get("code", "")), new=True)
    blank = language_settings.LanguageInput("", "", "", "", False)
    return _page(blank, new=True)


@bp.route("/settings/languages/<language_code>", methods=["GET", "POST"])
@requires(Permission.SETTINGS)
def language(language_code: str):
    """One language's names, formula, targets and words for roles and levels."""
    found = db.session.get(Language, language_code)
    if found is None or found.code == SOURCE_LANGUAGE:
        abort(404)
    if request.method == "POST":
        return _save(_posted(found.code), new=False)
    return _page(_stored(found), new=False)
