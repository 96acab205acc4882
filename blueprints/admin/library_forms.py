"""Forms of the library screens: references, glossary, settings, users, the audit log's filters.

The rules live in the services; a form parses what was typed, asks the service's own check
(`clean_reference`, `clean_term`) so every message shows beside its field at once, and keeps the
input as typed for the re-rendered page.
"""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import TextInput

from models import ReadingLevel, ReferenceKind, Role, SourceRead
from services.library.glossary import TermInput, clean_term
from services.library.references import ReferenceInput, clean_reference
from services.reading.personalization import Audiences
from services.staff.settings import LevelInput, RoleInput
from services.validation import InvalidFields

KIND_LABELS = {
    ReferenceKind.GUIDELINE: "Guideline",
    ReferenceKind.DRUG_LABEL: "FDA drug label",
    ReferenceKind.RESEARCH: "Research",
    ReferenceKind.OTHER: "Other source",
}
READ_LABELS = {
    SourceRead.ABSTRACT: "The abstract",
    SourceRead.FULL_TEXT: "The full text",
    SourceRead.LABEL_SECTION: "A section of the drug label",
    SourceRead.GUIDELINE_CHAPTER: "A chapter of the guideline",
}
ROLE_LABELS = {
    Role.EDITOR: "Editor",
    Role.REVIEWER: "Reviewer (Medical Advisory Board)",
    Role.ADMIN: "Administrator",
}
LEVEL_LABELS = {level: level.value.title() for level in ReadingLevel}


class ServiceErrors:
    """Lets a form carry a service's `InvalidFields` messages beside the fields they name."""

    general_errors: list[str]

    def add_errors(self, errors: dict[str, str]) -> None:
        """Attach each message to its field (if it has none yet); others go above the form."""
        if not hasattr(self, "general_errors"):
            self.general_errors = []
        for name, message in errors.items():
            field = self._fields.get(name)  # type: ignore[attr-defined]
            if field is None:
                self.general_errors.append(message)
            elif not field.errors:
                field.errors = [message]

    def invalid_fields(self) -> list:
        """Every field with a message, subforms' fields included, in page order."""
        return [field for field in self.all_fields() if field.errors]

    def all_fields(self):
        """Every field, subforms' fields included, in page order."""
        for field in self:  # type: ignore[attr-defined]
            if isinstance(field, FormField):
                yield from field.form
            else:
                yield field


class OptionalIntegerField(IntegerField):
    """An integer that may be left empty, with a message a person understands. A text input
    (with a numeric keyboard on phones): a number input would hide what was mistyped."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError as error:
            self.data = None
            raise ValueError("Enter the year as four digits, such as 2024.") from error

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class GradeField(StringField):
    """A school grade such as 8 or 8.5; empty means no cap."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if self.raw:
            try:
                self.data = float(self.raw.replace(",", "."))
            except ValueError as error:
                raise ValueError("Enter a grade as a number, such as 8 or 8.5.") from error

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:g}"


class FriendlyDateField(DateField):
    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError as error:
            self.data = None
            raise ValueError("Enter a date as YYYY-MM-DD, such as 2026-01-31.") from error


class ReferenceForm(ServiceErrors, FlaskForm):
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        default="research",
    )
    key = StringField("Citation key")
    authors = StringField("Authors")
    title = TextAreaField("Title")
    journal = StringField("Journal or publisher")
    year = OptionalIntegerField("Year")
    volume_pages = StringField("Volume, issue and pages")
    doi = StringField("DOI")
    pmid = StringField("PMID")
    nct = StringField("NCT number")
    url = StringField("Web address (URL)")
    read = SelectField(
        "How much of it", choices=[SelectChoice(r.value, label) for r, label in READ_LABELS.items()]
    )
    read_detail = StringField("Which part")
    version = HiddenField()

    def to_input(self) -> ReferenceInput:
        """What was typed, for the service."""
        return ReferenceInput(
            kind=ReferenceKind(self.kind.data),
            title=self.title.data or "",
            read=SourceRead(self.read.data),
            key=self.key.data or "",
            authors=self.authors.data or "",
            journal=self.journal.data or "",
            year=self.year.data,
            volume_pages=self.volume_pages.data or "",
            doi=self.doi.data or "",
            pmid=self.pmid.data or "",
            nct=self.nct.data or "",
            url=self.url.data or "",
            read_detail=self.read_detail.data or "",
        )

    def validate(self, extra_validators=None) -> bool:
        """The form's parsing, then the library's own rules on every field at once."""
        valid = super().validate(extra_validators)
        if self.kind.errors or self.read.errors:
            return False  # tampered choices: nothing to check the rest against
        try:
            clean_reference(self.to_input())
        except InvalidFields as error:
            self.add_errors(error.errors)
            return False
        return valid


class TermForm(ServiceErrors, FlaskForm):
    """The English fields, then the same four per other language (`CODE_term`, ...), added per
    request for the languages there are (`build`)."""

    term = StringField("Term")
    abbr = StringField("Abbreviation")
    aliases = TextAreaField("Other forms")
    definition = TextAreaField("Plain definition")
    languages: list[tuple[str, str]] = []  # (code, English name) of the other languages
    stored: dict[str, dict] = {}  # the term's words in them as saved

    @classmethod
    def build(
        cls, languages: list[tuple[str, str]], stored: dict[str, dict] | None = None, **kwargs
    ) -> TermForm:
        """A form with fields for the term in each of `languages`; `stored` (the saved words)
        stands for a language whose fields a form sent without (one opened before it was
        enabled), so that an edit never drops words it did not show."""

        class Bound(cls):  # type: ignore[valid-type, misc]
            pass

        for code, name in languages:
            setattr(Bound, f"{code}_term", StringField(f"Term in {name}"))
            setattr(Bound, f"{code}_abbr", StringField(f"Abbreviation in {name}"))
            setattr(Bound, f"{code}_aliases", TextAreaField(f"Other forms in {name}"))
            setattr(Bound, f"{code}_definition", TextAreaField(f"Plain definition in {name}"))
        form = Bound(**kwargs)
        form.languages = languages
        form.stored = stored or {}
        return form

    def in_language(self, code: str) -> list:
        """The fields of the term in `code`, in page order."""
        return [self[f"{code}_{name}"] for name in ("term", "abbr", "aliases", "definition")]

    def to_input(self) -> TermInput:
        """What was typed, for the service: other forms one per line."""
        translations = {}
        for code, _ in self.languages:
            if not self[f"{code}_term"].raw_data and code in self.stored:
                translations[code] = self.stored[code]  # not sent: kept as saved
                continue
            translations[code] = {
                "term": self[f"{code}_term"].data or "",
                "abbr": self[f"{code}_abbr"].data or "",
                "aliases": (self[f"{code}_aliases"].data or "").splitlines(),
                "definition": self[f"{code}_definition"].data or "",
            }
        return TermInput(
            term=self.term.data or "",
            definition=self.definition.data or "",
            abbr=self.abbr.data or "",
            aliases=(self.aliases.data or "").splitlines(),
            translations=translations,
        )

    def validate(self, extra_validators=None) -> bool:
        """The glossary's own rules, every field at once."""
        valid = super().validate(extra_validators)
        try:
            clean_term(self.to_input())
        except InvalidFields as error:
            self.add_errors(error.errors)
            return False
        return valid


class RoleFields(Form):
    label = StringField("Label readers see")
    level = SelectField(
        "Reading level", choices=[SelectChoice(lv.value, LEVEL_LABELS[lv]) for lv in ReadingLevel]
    )


class LevelFields(Form):
    language_name = StringField("Name of this wording")
    audience_name = StringField("Who it is for")
    target_grade = GradeField("Target grade (Flesch–Kincaid)")


class SettingsForm(ServiceErrors, FlaskForm):
    """One subform per role (`role_<key>`) and per level (`level_<level>`), built per request."""

    level_errors: dict[ReadingLevel, str]

    @classmethod
    def build(cls, audiences: Audiences, **kwargs) -> SettingsForm:
        """A form for the roles and levels there are, filled with their current values."""

        class Bound(cls):  # type: ignore[valid-type, misc]
            pass

        data: dict = {}
        for role in audiences.roles:
            setattr(Bound, f"role_{role.key}", FormField(RoleFields, label=role.key))
            data[f"role_{role.key}"] = {"label": role.label, "level": role.level.value}
        for level in ReadingLevel:
            setting = audiences.levels.get(level)
            if setting is None:
                continue
            setattr(Bound, f"level_{level.value}", FormField(LevelFields, label=level.value))
            data[f"level_{level.value}"] = {
                "language_name": setting.language_name,
                "audience_name": setting.audience_name,
                "target_grade": setting.target_grade,
            }
        form = Bound(data=data, **kwargs)
        form.level_errors = {}
        form.general_errors = []
        return form

    def roles_input(self) -> dict[str, RoleInput]:
        """Each role's label and level, by role key."""
        return {
            name.removeprefix("role_"): RoleInput(
                label=field.form.label.data or "", level=ReadingLevel(field.form.level.data)
            )
            for name, field in self._fields.items()
            if name.startswith("role_")
        }

    def levels_input(self) -> dict[ReadingLevel, LevelInput]:
        """Each level's names and target grade."""
        return {
            ReadingLevel(name.removeprefix("level_")): LevelInput(
                language_name=field.form.language_name.data or "",
                audience_name=field.form.audience_name.data or "",
                target_grade=field.form.target_grade.data,
            )
            for name, field in self._fields.items()
            if name.startswith("level_")
        }

    def add_service_errors(self, errors: dict[str, str]) -> None:
        """Place the settings service's messages (`roles.KEY.FIELD`, `levels.LEVEL[.FIELD]`)."""
        for key, message in errors.items():
            kind, _, rest = key.partition(".")
            name, _, field_name = rest.partition(".")
            prefix = "role_" if kind == "roles" else "level_"
            container = self._fields.get(prefix + name)
            if kind == "levels" and not field_name and container is not None:
                self.level_errors[ReadingLevel(name)] = message
            elif container is not None and field_name in container.form._fields:
                field = container.form[field_name]
                if not field.errors:
                    field.errors = [message]
            else:
                self.general_errors.append(message)


class UserForm(ServiceErrors, FlaskForm):
    email = EmailField(
        "Email",
        validators=[DataRequired("Enter their email address."), Length(max=254)],
    )
    name = StringField(
        "Name",
        validators=[DataRequired("Enter their name as it should appear."), Length(max=120)],
    )
    credentials = StringField("Credentials", validators=[Length(max=120)])
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
        default="editor",
    )


class AuditFilterForm(Form):
    """The audit log's filters, read from the query string (a GET form: no CSRF token)."""

    actor = SelectField("Who", choices=[SelectChoice("", "Anyone")], validate_choice=False)
    action = SelectField("Action", choices=[SelectChoice("", "Any action")], validate_choice=False)
    object_type = SelectField(
        "On what", choices=[SelectChoice("", "Anything")], validate_choice=False
    )
    object_id = StringField("Object id", validators=[Length(max=40)])
    since = FriendlyDateField("From")
    until = FriendlyDateField("To (inclusive)")

    def validate_actor(self, field) -> None:
        if field.data and not field.data.isdigit():
            raise ValidationError("Choose someone from the list.")

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")

    @property
    def actor_id(self) -> int | None:
        return int(self.actor.data) if self.actor.data and self.actor.data.isdigit() else None

    @property
    def is_filtered(self) -> bool:
        return any(
            [
                self.actor.data,
                self.action.data,
                self.object_type.data,
                self.object_id.data,
                self.since.data,
                self.until.data,
            ]
        )
