"""The reference library: sources that article text cites as [@key]."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import ReferenceKind, SourceRead, enum_column


class Reference(db.Model):
    __tablename__ = "references"

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
    url: Mapped[str] = mapped_column(String(500), default="")
    read: Mapped[SourceRead] = mapped_column(enum_column(SourceRead))
    read_detail: Mapped[str] = mapped_column(String(300), default="")
    is_demo: Mapped[bool] = mapped_column(default=False)

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
