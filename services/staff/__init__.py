"""The people who run Vetted and what they may do.

- `accounts`: staff accounts, sign-in, set-password links, deactivation.
- `sessions`: server-side sign-in sessions, sign-out, "Confirm your password".
- `passwords`: the password rule and the argon2id hashes.
- `permissions`: who may do what, one policy asked by routes and services alike.
- `audit`: the append-only audit log, written by the services that act; `audit_log` reads it.
- `worklists`: the dashboard's lists and the review queue.
- `settings`: the audience roles and each reading level's names and target.
"""
