"""Request plumbing every blueprint shares, none of it a page of its own.

- `logs`: a JSON line per request and per error, with the request id.
- `security`: CSP and the other response headers; `Vary: HX-Request`.
- `csrf`: the origin check for every unsafe request, and tokens for signed-in staff.
- `assets`: fingerprinted, precompressed static files (built by scripts/build_static.py).
- `errors`: the error pages (HTML, or a fragment for htmx), and the 503 while the database is away.
- `rendering`: one template, two renderings (a page, or one named block for an htmx swap).
- `rescue`: typed text that survives a lost session.
- `limits`: what is refused before any view reads it (a body over the limit, control
  characters), answered in place so the typed text stays.
- `audience`: the reader's role from the picker, `?audience=`, its cookie or the staff profile.
- `filters`: template filters (dates).
- `language`: the page's language from its address (`/es/...`), links that keep it, hreflang.
- `i18n`: Flask-Babel in the page's language: catalogs, reader dates and numbers.
- `audit`: the client's address, handed to the audit log before any service runs.
- `redirects`: where a form may send the reader back to.
- `reauthenticate`: "Confirm your password" before user management, when sign-in is old.

May import services, models, extensions and config; never blueprints or caching.
"""
