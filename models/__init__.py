"""All models, imported here so Alembic and the app see every table."""

from models.article import Article
from models.audience import AudienceRole, AudienceRoleLabel, LevelSetting, LevelSettingName
from models.audit import AuditEvent
from models.base import (
    ReadingLevel,
    ReferenceKind,
    ReviewStatus,
    Role,
    SectionKind,
    SourceRead,
)
from models.cache import (
    CachedPage,
    CachedPdf,
    ContentVersion,
    RenderedRevision,
    revision_references,
)
from models.followup import AnswerStatus, FollowupAnswer, FollowupQuestion, FollowupStatus
from models.glossary import GlossaryTerm
from models.language import SOURCE_LANGUAGE, Language, ReadabilityTarget
from models.library_change import (
    ChangeStatus,
    LibraryChange,
    LibraryKind,
    library_change_articles,
)
from models.reference import Reference
from models.review import ReviewEvent
from models.revision import Revision, Section, SectionVariant
from models.search import SearchDocument, SpanishSearchDocument
from models.session import StaffSession
from models.topic import Topic, article_topics
from models.translation import ArticleListingTranslation, TopicTranslation
from models.user import User

__all__ = [
    "AnswerStatus",
    "Article",
    "ArticleListingTranslation",
    "AuditEvent",
    "CachedPage",
    "CachedPdf",
    "ChangeStatus",
    "ContentVersion",
    "AudienceRole",
    "AudienceRoleLabel",
    "LevelSetting",
    "LevelSettingName",
    "LibraryChange",
    "LibraryKind",
    "ReadingLevel",
    "FollowupAnswer",
    "FollowupQuestion",
    "FollowupStatus",
    "GlossaryTerm",
    "Language",
    "ReadabilityTarget",
    "Reference",
    "RenderedRevision",
    "ReferenceKind",
    "ReviewEvent",
    "ReviewStatus",
    "Revision",
    "Role",
    "SOURCE_LANGUAGE",
    "SearchDocument",
    "SpanishSearchDocument",
    "Section",
    "SectionKind",
    "SectionVariant",
    "SourceRead",
    "StaffSession",
    "Topic",
    "TopicTranslation",
    "User",
    "article_topics",
    "library_change_articles",
    "revision_references",
]
