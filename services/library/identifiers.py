"""Identifiers staff paste into a reference: DOIs, PMIDs, trial numbers, web addresses, years
and citation keys, each cleaned into one form (a pasted https://doi.org/ link becomes the DOI)
or refused with the message to show beside its field."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, urlsplit

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
PMID = re.compile(r"^\d{1,9}$")
PMID_PREFIX = re.compile(r"^pmid:?\s*", re.IGNORECASE)
NCT = re.compile(r"^NCT\d{8}$")
# A subset of what the citation syntax accepts, ending in a letter or digit so that
# "see [@smith2020]." never reads the full stop as part of the key.
KEY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.:-]*[A-Za-z0-9])?$")
MAX_KEY = 60


def clean_doi(value: str | None) -> str:
    """A DOI as `10.NNNN/suffix`; a pasted https://doi.org/ link or `doi:` prefix is removed.

    :raises ValueError: with the message to show beside the field.
    """
    text = DOI_PREFIX.sub("", (value or "").strip())
    if text.lower().startswith(("http://", "https://")):
        raise ValueError("Enter the DOI itself (10.NNNN/…) or a doi.org link, not another site.")
    text = unquote(text)
    if text and not DOI.match(text):
        raise ValueError("A DOI starts with 10., four or more digits and a slash: 10.1182/blood…")
    if len(text) > 200:
        raise ValueError("A DOI this long is not one; check what was pasted.")
    return text


def clean_pmid(value: str | None) -> str:
    """A PubMed ID: digits only (a `PMID:` prefix is removed).

    :raises ValueError: with the message to show beside the field.
    """
    text = PMID_PREFIX.sub("", (value or "").strip())
    if text and not PMID.match(text):
        raise ValueError("A PMID is digits only, such as 26432046.")
    return text


def clean_nct(value: str | None) -> str:
    """A ClinicalTrials.gov number: NCT and eight digits.

    :raises ValueError: with the message to show beside the field.
    """
    text = "".join((value or "").split()).upper()
    if text and not NCT.match(text):
        raise ValueError("An NCT number is NCT followed by eight digits, such as NCT01234567.")
    return text


def clean_url(value: str | None) -> str:
    """A web address readers can open: http or https only.

    :raises ValueError: with the message to show beside the field.
    """
    text = (value or "").strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise ValueError("Enter a full web address starting with https://.")
    if len(text) > 500:
        raise ValueError("Use a web address of at most 500 characters.")
    return text


def clean_key(value: str | None) -> str:
    """A citation key: letters, digits and `- _ . :` inside, as in `[@gokbuget2024]`.

    :raises ValueError: with the message to show beside the field.
    """
    text = (value or "").strip().lstrip("@")
    if text and (len(text) > MAX_KEY or not KEY.match(text)):
        raise ValueError(
            f"Use letters and digits (and - _ . : between them), at most {MAX_KEY} characters, "
            "such as gokbuget2024."
        )
    return text


def clean_year(value: int | None) -> int | None:
    """A publication year from 1800 to next year.

    :raises ValueError: with the message to show beside the field.
    """
    if value is not None and not 1800 <= value <= date.today().year + 1:
        raise ValueError(f"Enter a year between 1800 and {date.today().year + 1}.")
    return value


CLEANERS = {
    "doi": clean_doi,
    "pmid": clean_pmid,
    "nct": clean_nct,
    "url": clean_url,
    "key": clean_key,
    "year": clean_year,
}
