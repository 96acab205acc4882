"""The reference library: sources that article text cites as [@key]."""

from datetime import datetime

from sqlalchemy import Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import ReferenceKind, SourceRead, enum_column, utcnow


class Reference(db.Model):
    __tablename__ = "references"
    # One library entry per DOI and per PMID; DOIs compare case-insensitively. Empty means none.
    __table_args__ = (
        Index(
            "uq_references_doi",
            func.lower("doi"),
            unique=True,
            sqlite_where="doi != ''",
            postgresql_where="doi != ''",
        ),
        Index(
            "uq_references_pmid",
            "pmid",
            unique=True,
            sqlite_where="pmid != ''",
            postgresql_where="pmid != ''",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[ReferenceKind] = mapped_column(enum_column(ReferenceKind))
    authors: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text)
    journal: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int | None]
    volume_pages: Mapped[str] = mapped_column(String(80), default="")
    pmid: Mapped[str] = mapped_column(String(20), default="")
    doi: Mapped[str] = mapped_column(String(200), default="")
    nct: Mapped[str] = mapped_column(String(20), default="")  # ClinicalTrials.gov NCT number
    url: Mapped[str] = mapped_column(String(500), default="")
    read: Mapped[SourceRead] = mapped_column(enum_column(SourceRead))
    read_detail: Mapped[str] = mapped_column(String(300), default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Raised by every edit: rendered pages that cite this reference are keyed by it.
    version: Mapped[int] = mapped_column(default=1)

    @property
    def read_label(self) -> str:
        return {
            SourceRead.ABSTRACT: "Abstract",
            SourceRead.FULL_TEXT: "Full text",
            SourceRead.LABEL_SECTION: "Label section",
            SourceRead.GUIDELINE_CHAPTER: "Guideline chapter",
        }[self.read]

    @property
    def kind_label(self) -> str:
        return {
            ReferenceKind.GUIDELINE: "Guideline",
            ReferenceKind.DRUG_LABEL: "FDA drug label",
            ReferenceKind.RESEARCH: "Research",
            ReferenceKind.OTHER: "Source",
        }[self.kind]

    def __repr__(self) -> str:
        return f"<Reference {self.key}>"
