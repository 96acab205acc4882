from blueprints.personalization.routes import bp, current_audience, remembered_level

__all__ = ["bp", "current_audience", "remembered_level"]
