"""Caching, in one place: what a cached thing's key is made of, and every cache Vetted keeps.

- `changes`: what a transaction changed for readers, as the services say it (the one door in).
- `versions`: the content versions keys are made of (site, glossary), raised by those changes.
- `renders`: render once, a revision's sections at a level, shared by every worker (database).
- `pages`: whole anonymous reader pages, answered in one query (database).
- `headers`: Cache-Control, ETag and Vary: which answers a browser or proxy may keep, how long.
- `purge`: after a commit, tell nginx which article pages to drop.
- `writes`: how the two database caches write their rows, apart from the request.

May import models, extensions and config, never services, web or blueprints: services ask it
to keep renderings and hand it their changes; blueprints decorate views with its page cache and
policy.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the session listeners (a transaction's changes, the purge after each commit), the
    cache headers hook, and `page_day` for templates.

    Call after Flask-Compress and before the blueprints: after-request hooks run in reverse
    order, so the headers hook sees any cookie a blueprint's hook set, and computes the ETag on
    the uncompressed body.
    """
    from caching import changes, headers, pages, purge  # here: services import caching.changes

    changes.init_app()
    purge.init_app()
    headers.init_app(app)
    # Pages compare dates with the day in their page-cache key (an overdue review), never another.
    app.add_template_global(pages.page_day)
