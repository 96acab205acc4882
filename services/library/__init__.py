"""The shared library articles draw on.

- `references`: validated, de-duplicated sources that text cites as `[@key]`; who cites them.
- `identifiers`: DOIs, PMIDs, trial ids, URLs and keys, cleaned and checked.
- `glossary`: terms explained inline in plain and standard wording.
- `changes`: edits to entries public text uses, held for a second person's approval.
- `usage`: which public articles cite a reference or use a term.
"""
