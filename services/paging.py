"""What every numbered list page knows about its place: `total` rows, `per_page` a page, this
`page`. A mixin for the page dataclasses of search, the follow-up queue and the staff list."""

from __future__ import annotations


class Paged:
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages
