"""Follow-up questions on an article (the follow-ups issue adds the form and the answers)."""

from flask import Blueprint

bp = Blueprint("followups", __name__, url_prefix="/followups")
