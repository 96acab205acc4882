"""Writing, reviewing and publishing articles.

- `revisions`: append-only revisions, articles, locks; saving and restoring.
- `publishing`: the one rule for what readers see (`refresh_publication`) and what changed.
- `review`: the review state machine, four eyes, each transition audited.
- `checks`: what must hold before approval (readability targets, citations, uncited numbers).
- `diffing`: word diffs between revisions, per section and reading level.
- `dossier`: everything a reviewer weighs, gathered for the review page.
- `editing`: the editor's rules that are not HTTP: form rows, rearranging, live preview.
- `conflicts`: two saves from one base, shown side by side to merge.
- `catalogue`: the staff's list of articles, recent revisions and history, the citation finder.
"""
