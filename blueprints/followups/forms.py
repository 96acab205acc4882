"""The reader's question form; its rules live in services.followups."""

import re
import secrets

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import ValidationError

from services.followups.questions import problems
from web import csrf

NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_nonce() -> str:
    """A fresh random nonce for one rendering of the ask form."""
    return secrets.token_urlsafe(16)


class AskForm(csrf.ReaderForm):
    text = TextAreaField(_l("Your question"))
    # A honeypot: hidden from people by CSS, filled in by form-filling bots.
    website = StringField(_l("Leave this field empty"))
    # Random per rendering of the form (on the cached article page, filled in by vetted.js when
    # it is sent): a double submission of one form finds the first question, and nothing that
    # two readers share (address, browser) ever makes one's question the other's.
    nonce = HiddenField()

    def validate_text(self, field) -> None:
        if found := problems(field.data or ""):
            raise ValidationError(" ".join(str(p) for p in found))

    def client_nonce(self) -> str:
        """The form's nonce, or a fresh one (no duplicate check) if it is missing or malformed."""
        nonce = self.nonce.data or ""
        return nonce if NONCE.fullmatch(nonce) else new_nonce()
