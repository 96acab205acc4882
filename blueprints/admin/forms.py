"""The article editor's form: question, topics, next-review proposal, change note and sections,
each with its kind, heading and text at every reading level."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from models import SectionKind
from services.editorial.editing import LEVEL_ORDER
from services.editorial.review import MAX_REVIEW_INTERVAL
from services.editorial.revisions import MAX_BODY, MAX_HEADING, MAX_QUESTION, MAX_SECTIONS

MAX_CHANGE_NOTE = 500
LEVELS = [level.value for level in LEVEL_ORDER]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _collapse(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SectionForm(Form):
    kind = SelectField(
        "Kind", choices={k.value: k.label for k in SectionKind}, default=SectionKind.OTHER.value
    )
    heading = StringField(
        "Heading",
        filters=[_collapse],
        validators=[
            DataRequired("Give this section a heading."),
            Length(max=MAX_HEADING, message=f"At most {MAX_HEADING} characters."),
        ],
    )
    clinical = TextAreaField(validators=[Length(max=MAX_BODY, message=f"At most {MAX_BODY:,}.")])
    standard = TextAreaField(validators=[Length(max=MAX_BODY, message=f"At most {MAX_BODY:,}.")])
    plain = TextAreaField(validators=[Length(max=MAX_BODY, message=f"At most {MAX_BODY:,}.")])

    def body_fields(self) -> list:
        """The section's text fields, most technical level first."""
        return [self[level.value] for level in LEVEL_ORDER]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not any((f.data or "").strip() for f in self.body_fields()):
            self.form_errors.append(
                "Write this section at one reading level at least, or remove it."
            )
            valid = False
        elif self.kind.data == SectionKind.QUESTIONS and not any(
            (self[level].data or "").strip() for level in ("plain", "standard")
        ):
            self.form_errors.append(
                "Only patients and students see these questions: write the plain or standard "
                "wording."
            )
            valid = False
        return valid


class ArticleForm(FlaskForm):
    # The revision this form started from; a save against a newer one is a conflict.
    based_on_id = HiddenField()
    # Set once a conflict has been shown: the base both sides started from, so the comparison
    # stays on screen while the editor merges.
    conflict_base_id = HiddenField()
    question = StringField(
        "Question",
        filters=[_collapse],
        validators=[
            DataRequired("Write the question the article answers."),
            Length(max=MAX_QUESTION, message=f"At most {MAX_QUESTION} characters."),
        ],
    )
    topics = SelectMultipleField("Topics", coerce=int)

    def set_topics(self, topics) -> None:
        """Offer these topics (models.Topic), by id."""
        self.topics.choices = {str(t.id): t.name for t in topics}

    next_review_on = DateField("Proposed next review", validators=[Optional()])
    change_note = StringField(
        "Change note",
        filters=[_strip],
        validators=[Length(max=MAX_CHANGE_NOTE, message=f"At most {MAX_CHANGE_NOTE} characters.")],
    )
    sections = FieldList(FormField(SectionForm))

    # Wording in other languages (languages are rows, so these are not WTForms fields): per
    # section, {"translations": {code: {level: text}}, "heading_translations": {code: text}};
    # None when the post carried none (a form that shows English only keeps the saved ones).
    translated: list[dict] | None = None
    question_translations: dict[str, str] | None = None

    def read_translations(self, formdata, codes: list[str]) -> None:
        """Read `sections-N-tr-CODE-LEVEL`, `sections-N-tr-CODE-heading` and
        `question-tr-CODE`, present when the editor marked the post `translations_posted`."""
        if "translations_posted" not in formdata:
            return
        self.question_translations = {
            code: _collapse(formdata.get(f"question-tr-{code}", "")) for code in codes
        }
        self.translated = []
        for entry in self.sections.entries:
            bodies: dict[str, dict[str, str]] = {}
            headings: dict[str, str] = {}
            for code in codes:
                prefix = f"{entry.name}-tr-{code}"
                headings[code] = _collapse(formdata.get(f"{prefix}-heading", ""))
                bodies[code] = {lv: formdata.get(f"{prefix}-{lv}", "") for lv in LEVELS}
            self.translated.append({"translations": bodies, "heading_translations": headings})

    def set_translations(self, rows: list[dict], questions: dict[str, str] | None) -> None:
        """Carry the rows' translations (editing rows) into the form, to show them again."""
        if questions is None and not any("translations" in row for row in rows):
            return
        self.question_translations = dict(questions or {})
        self.translated = [
            {
                "translations": row.get("translations") or {},
                "heading_translations": row.get("heading_translations") or {},
            }
            for row in rows
        ]

    def translation_of(self, index: int, code: str, name: str) -> str:
        """A section's text in `code` at level `name` (or its "heading"), as the form holds it."""
        if self.translated is None or index >= len(self.translated):
            return ""
        row = self.translated[index]
        if name == "heading":
            return row["heading_translations"].get(code, "")
        return row["translations"].get(code, {}).get(name, "")

    def validate_next_review_on(self, field) -> None:
        if field.data is None:
            return
        today = date.today()
        if field.data <= today:
            raise ValidationError("Choose a date in the future.")
        if field.data > today + MAX_REVIEW_INTERVAL:
            raise ValidationError("Propose a date within three years.")

    def validate_sections(self, field) -> None:
        if not field.entries:
            raise ValidationError("Add a section: an article needs at least its short answer.")
        if len(field.entries) > MAX_SECTIONS:
            raise ValidationError(f"An article can have at most {MAX_SECTIONS} sections.")
        summaries = sum(1 for e in field.entries if e.form.kind.data == SectionKind.SUMMARY)
        if summaries > 1:
            raise ValidationError(
                "An article has one short answer: make the other sections another kind."
            )
        questions = sum(1 for e in field.entries if e.form.kind.data == SectionKind.QUESTIONS)
        if questions > 1:
            raise ValidationError(
                f"An article has one “{SectionKind.QUESTIONS.label}” section: put every "
                "question in it and remove the others."
            )

    @property
    def based_on(self) -> int | None:
        return _int_or_none(self.based_on_id.data)

    @property
    def conflict_base(self) -> int | None:
        return _int_or_none(self.conflict_base_id.data)

    def rows(self) -> list[dict]:
        """The sections as typed, one dict per section (services.editorial.editing's rows)."""
        rows = [
            {name: entry.form[name].data or "" for name in ("kind", "heading", *LEVELS)}
            for entry in self.sections.entries
        ]
        for row, extra in zip(rows, self.translated or [], strict=False):
            row.update(extra)
        return rows

    def values(self) -> dict:
        """Every field as typed, to build the form again after rearranging sections."""
        return {
            "based_on_id": self.based_on_id.data or "",
            "conflict_base_id": self.conflict_base_id.data or "",
            "question": self.question.data or "",
            "topics": self.topics.data or [],
            "next_review_on": self.next_review_on.data,
            "change_note": self.change_note.data or "",
            "question_translations": self.question_translations,
        }
