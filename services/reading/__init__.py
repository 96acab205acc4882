"""What a reader sees.

- `view`: an article as a reader gets it: its public (or pending) revision at their level.
- `markdown`: Markdown to sanitised HTML with numbered citations and glossary terms.
- `personalization`: the roles of "Which best describes you?" and the level each maps to.
- `audience_labels`: those roles and the level names in another language (data per language).
- `languages`: which languages readers can read, and which have addresses of their own.
- `readability`: reading grades, measured when text is saved.
- `public_history`: each approval and what it changed, as the public review record.
- `feeds`: what the sitemaps and the Atom feed list.
"""
