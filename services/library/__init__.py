"""The shared library articles draw on.

- `references`: validated, de-duplicated sources that text cites as `[@key]`; who cites them.
- `identifiers`: DOIs, PMIDs, trial ids, URLs and keys, cleaned and checked.
- `glossary`: terms explained inline in plain and standard wording.
"""
