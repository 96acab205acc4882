"""The product's rules, by domain. Services never read the request, never commit (the route
commits once), take the acting user and any secret or limit as arguments, and raise the errors
of services/errors.py, which blueprints map to HTTP statuses.

- `editorial`: writing, reviewing and publishing articles; who sees which revision.
- `reading`: what a reader sees: an article at their level, its rendering, its review record.
- `library`: the shared sources articles cite (references) and the glossary they explain.
- `followups`: readers' questions, the instant answer from reviewed text, staff answers.
- `search`: full text over public articles, one engine per database.
- `staff`: accounts, passwords, permissions, the audit log, work lists, audience settings.
- `seeding`: the demo content and synthetic articles for load tests.

Shared: `errors` (domain errors), `validation` (field-by-field refusals), `paging`, `locking`.
May import models, extensions and caching; never web or blueprints.
"""
