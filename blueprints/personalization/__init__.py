from blueprints.personalization.routes import bp, current_audience

__all__ = ["bp", "current_audience"]
