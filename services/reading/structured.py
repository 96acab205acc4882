"""schema.org structured data for an article page: what search engines read of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models import SOURCE_LANGUAGE, Reference
from services.reading.personalization import listing_summary

if TYPE_CHECKING:
    from services.reading.view import ArticleView


def structured_data(view: ArticleView, url: str, *, policy_url: str) -> dict:
    """schema.org MedicalWebPage for search engines: review, reviewer, next review and citations.

    schema.org has no term for "next review due" (`expires` would say the content lapses), so
    the page defines its own, `nextReviewDue`, whose IRI is where the editorial policy at
    `policy_url` (absolute) explains the date.
    """
    revision = view.revision
    data: dict = {
        "@context": [
            "https://schema.org",
            {
                "nextReviewDue": {
                    "@id": f"{policy_url}#next-review-due",
                    "@type": "http://www.w3.org/2001/XMLSchema#date",
                }
            },
        ],
        "@type": "MedicalWebPage",
        "name": view.question,
        "headline": view.question,
        "url": url,
        # The page's own wording: structured data describes what the page shows.
        "description": view.description or listing_summary(view.article, view.level).text,
        "dateModified": revision.created_at.date().isoformat(),
        "about": [t.name for t in view.article.topics],
        "citation": [_citation(c.reference) for c in view.references],
    }
    if view.language != SOURCE_LANGUAGE:
        data["inLanguage"] = view.language
    if view.is_approved and revision.reviewer and revision.reviewed_at:
        data["lastReviewed"] = revision.reviewed_at.date().isoformat()
        data["reviewedBy"] = {"@type": "Person", "name": revision.reviewer.display_name}
        if view.article.next_review_on:
            data["nextReviewDue"] = view.article.next_review_on.isoformat()
    return data


def _citation(ref: Reference) -> dict:
    item: dict = {"@type": "CreativeWork", "name": ref.title}
    if ref.authors:
        item["author"] = ref.authors
    if ref.journal:
        item["isPartOf"] = ref.journal
    if ref.year:
        item["datePublished"] = str(ref.year)
    identifiers = [f"doi:{ref.doi}"] if ref.doi else []
    identifiers += [f"pmid:{ref.pmid}"] if ref.pmid else []
    if identifiers:
        item["identifier"] = identifiers
    return item
