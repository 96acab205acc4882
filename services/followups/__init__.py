"""Readers' follow-up questions and what answers them.

- `questions`: asking, the private link (its token), duplicates, deleting, suggestions.
- `instant`: the instant answer: passages of reviewed articles, quoted verbatim, never generated.
- `passages`: how a question's words are matched and scored against article text.
- `answers`: staff answers, four-eyes approval, and "Readers also asked" under the article.
- `queue`: the staff queue, its counts, rejecting and reopening.
- `promotion`: a question turned into a draft article, pre-filled with what was found.
"""
