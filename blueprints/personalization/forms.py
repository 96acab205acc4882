from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import InputRequired

from services.personalization import ROLES


class AudienceForm(FlaskForm):
    role = RadioField(
        "Which best describes you?",
        choices=[(r.key, r.label) for r in ROLES],
        validators=[InputRequired("Choose the description that fits you best.")],
    )
    next = HiddenField()
