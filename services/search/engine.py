"""What every search engine answers; services.search picks one by the database's dialect."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from models import ReadingLevel
from services.search.query import ParsedQuery

# Start and end of a highlighted word in snippets: private-use characters, which article text
# never contains (services.reading.markdown strips them), so escaping the snippet cannot break them.
MARK_START, MARK_END = "\ue000", "\ue001"


@dataclass(frozen=True)
class Criteria:
    """What to match: every clause of the query (or any, `any_clause`), within a topic."""

    query: ParsedQuery
    any_clause: bool = False
    topic_id: int | None = None


class Engine(ABC):
    """One database's full-text search over the `search_documents` table."""

    @abstractmethod
    def count(self, criteria: Criteria, *, cap: int) -> int:
        """How many articles match, counting no further than `cap`."""

    def window(
        self, criteria: Criteria, *, cap: int
    ) -> tuple[int, list[tuple[int, float]], list[int] | None]:
        """How many articles match, counting no further than `cap` + 1; when that is more than
        `cap`, of the newest `cap` matches those whose question or headings match, best first
        (else an empty list); and those newest `cap` match ids, newest first, if the engine read
        them anyway (else None: `newest` finds them)."""
        total = self.count(criteria, cap=cap + 1)
        return total, (self.title_ranked(criteria, cap=cap) if total > cap else []), None

    @abstractmethod
    def ranked(self, criteria: Criteria, *, limit: int, offset: int) -> list[tuple[int, float]]:
        """(article id, score) of the matches, best first, one page of them."""

    @abstractmethod
    def title_ids(self, criteria: Criteria, *, cap: int) -> set[int]:
        """Up to `cap` of the articles whose question or headings match, unranked."""

    @abstractmethod
    def title_ranked(self, criteria: Criteria, *, cap: int) -> list[tuple[int, float]]:
        """Of the newest `cap` matching articles, those whose question or headings match,
        best first."""

    @abstractmethod
    def newest(self, criteria: Criteria, *, limit: int) -> list[int]:
        """Matching article ids, newest first."""

    @abstractmethod
    def snippets(
        self, criteria: Criteria, article_ids: list[int], levels: list[ReadingLevel]
    ) -> dict[int, tuple[ReadingLevel, str]]:
        """An excerpt of each article's wording, matches between MARK_START and MARK_END: at
        the first of `levels` whose wording has a match, else at the first of `levels`."""

    @abstractmethod
    def tidy_after_bulk(self) -> None:
        """Make queries fast again after many rows were written at once."""
