"""Readers' follow-up questions: asking, the instant answer, the private link."""

from blueprints.followups.routes import bp

__all__ = ["bp"]
