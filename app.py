"""Vetted: reviewed, cited answers to clinical questions, worded for the person reading them."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import blueprints
import caching
import cli
from config import Config, engine_options
from extensions import compress, db, htmx, limiter, login_manager, migrate
from extensions import csrf as csrf_protect
from services.staff import passwords
from web import (
    assets,
    audience,
    audit,
    csrf,
    errors,
    filters,
    i18n,
    language,
    limits,
    logs,
    security,
)
from web.language import VettedFlask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, caches, request plumbing, blueprints, CLI.

    :raises config.SettingsError: production settings are missing (one line each).
    """
    # VettedFlask: url_for keeps the page's language (web/language.py).
    app = VettedFlask(__name__, instance_relative_config=True, static_folder=None)
    app.config.from_object(Config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    )
    if proxies := app.config["TRUSTED_PROXIES"]:
        # Only what the proxy overwrites is believed: the client address and the scheme. The
        # host comes from the Host header, which the proxy sets to the site's public name.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    passwords.use_profile(app.config["PASSWORD_HASH_PROFILE"])
    logs.init_app(app)  # first, so its timer starts before and its log line ends after the rest
    db.init_app(app)
    migrate.init_app(app, db)
    login_manager.init_app(app)
    csrf_protect.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)

    # After-request hooks run in reverse order of registration: the cache headers (caching)
    # see the audience cookie (audience) and every header the blueprints set.
    caching.init_app(app)
    assets.init_app(app)
    audience.init_app(app)
    filters.init_app(app)
    audit.init_app(app)
    errors.init_app(app)
    limits.init_app(app)  # its 413 and 422 answers replace the generic error pages
    language.init_app(app)
    i18n.init_app(app)
    blueprints.register(app)
    csrf.init_app(app)
    security.init_app(app)
    cli.register(app)
    return app
