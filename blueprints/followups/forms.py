"""The reader's question form; its rules live in services.followups."""

from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

from services.followups.questions import problems
from web import csrf


class AskForm(csrf.ReaderForm):
    text = TextAreaField("Your question")
    # A honeypot: hidden from people by CSS, filled in by form-filling bots.
    website = StringField("Leave this field empty")

    def validate_text(self, field) -> None:
        if found := problems(field.data or ""):
            raise ValidationError(" ".join(found))
