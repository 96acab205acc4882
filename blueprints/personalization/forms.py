from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length

from web.csrf import ReaderForm


class AudienceForm(ReaderForm):
    # Choices are rows, so the route checks the key against them rather than a fixed list.
    role = StringField(validators=[InputRequired(), Length(max=20)])
    next = HiddenField()
