"""The Medical Advisory Board's decision forms (a page holds several, hence the prefixes)."""

from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Length

MAX_COMMENT = 5_000


class StartReviewForm(FlaskForm):
    """Nothing to fill in: the form carries the CSRF token."""


class ApproveForm(FlaskForm):
    next_review_on = DateField(
        "Next review due",
        invalid_value_message="Enter the next review date as a date, for example 2027-05-07.",
    )
    override_reason = TextAreaField(
        "Reason for approving despite these findings",
        validators=[Length(max=MAX_COMMENT, message=f"Keep it under {MAX_COMMENT:,} characters.")],
    )


class RequestChangesForm(FlaskForm):
    comment = TextAreaField(
        "What needs to change",
        validators=[
            DataRequired("Say what needs to change: a comment is required."),
            Length(max=MAX_COMMENT, message=f"Keep it under {MAX_COMMENT:,} characters."),
        ],
    )


class LibraryApproveForm(FlaskForm):
    comment = TextAreaField(
        "Comment (optional)",
        validators=[Length(max=MAX_COMMENT, message=f"Keep it under {MAX_COMMENT:,} characters.")],
    )


class LibrarySendBackForm(FlaskForm):
    comment = TextAreaField(
        "What needs to change",
        validators=[
            DataRequired("Say what needs to change: a comment is required."),
            Length(max=MAX_COMMENT, message=f"Keep it under {MAX_COMMENT:,} characters."),
        ],
    )


class WithdrawForm(FlaskForm):
    """Nothing to fill in: the form carries the CSRF token."""
