import sqlalchemy as sa

from extensions import db
from models import Article, ReviewStatus, Role, Topic, article_topics
from services.editorial import review
from services.editorial.publishing import public_revision, publicly_visible
from services.editorial.revisions import create_article, save_revision
from services.reading.view import find_article
from services.seeding.synthetic import seed_synthetic
from tests.factories import make_article, make_sections, make_user


def test_draft_only_article_is_not_public(app):
    article = make_article(status="draft")
    db.session.commit()
    assert public_revision(article) is None
    assert find_article(article.slug) is None


def test_never_approved_article_shows_latest_submitted_revision(app):
    article = make_article(status="submitted")
    db.session.commit()
    assert public_revision(article).status == ReviewStatus.SUBMITTED
    assert find_article(article.slug) is article


def test_live_revision_wins_over_newer_submitted_one(app):
    article = make_article(status="approved", question="Old question?")
    live = article.live_revision
    author = make_user(role=Role.EDITOR)
    newer = save_revision(
        article, author=author, question="New question?", sections=make_sections()
    )
    review.submit(newer, actor=author)
    db.session.commit()
    assert public_revision(article) is live
    assert article.question == "Old question?"  # listings follow what readers see


def test_revision_numbers_increase_and_record_their_base(app):
    article = make_article(status="approved")
    first = article.latest_revision
    second = save_revision(article, author=None, question="Q?", sections=make_sections())
    assert (first.number, second.number) == (1, 2)
    assert second.based_on_id == first.id
    assert article.latest_revision is second


def test_readability_is_measured_when_saved(app):
    article = make_article(status="draft")
    variant = article.latest_revision.sections[0].variants[0]
    assert variant.fk_grade is not None and variant.word_count > 0


def test_cannot_edit_a_saved_revision(app):
    import pytest

    from models.revision import ImmutableRevisionError

    article = make_article(status="approved")
    db.session.commit()
    variant = article.live_revision.sections[0].variants[0]
    variant.body = "Quietly changed."
    with pytest.raises(ImmutableRevisionError):
        db.session.flush()
    db.session.rollback()
    article.live_revision.question = "Changed?"
    with pytest.raises(ImmutableRevisionError):
        db.session.flush()
    db.session.rollback()


def test_review_fields_of_a_saved_revision_can_change(app):
    article = make_article(status="submitted")
    db.session.commit()
    revision = article.latest_revision
    review.start_review(revision, reviewer=make_user(role=Role.REVIEWER))
    db.session.commit()
    assert revision.status == ReviewStatus.UNDER_REVIEW


def test_deleting_an_article_takes_its_revisions_with_it(app):
    import sqlalchemy as sa

    from models import Article, SectionVariant

    article = make_article(status="approved")
    db.session.commit()
    db.session.delete(article)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(SectionVariant.id))) == 0


def test_cannot_remove_a_section_from_a_saved_revision(app):
    import pytest

    from models.revision import ImmutableRevisionError

    article = make_article(status="approved")
    db.session.commit()
    db.session.delete(article.live_revision.sections[0])
    with pytest.raises(ImmutableRevisionError):
        db.session.flush()
    db.session.rollback()


def _counts() -> dict[str, int]:
    """Each topic's stored count, read fresh from the database."""
    db.session.expire_all()
    return {t.slug: t.article_count for t in db.session.scalars(sa.select(Topic))}


def _approve(revision, author, reviewer) -> None:
    review.submit(revision, actor=author)
    review.start_review(revision, reviewer=reviewer)
    review.approve(revision, reviewer=reviewer, override_reason="Test")
    db.session.commit()


def test_stored_topic_counts_follow_approvals_topic_changes_and_the_synthetic_seed(app):
    first, second = Topic(slug="first", name="First"), Topic(slug="second", name="Second")
    db.session.add_all([first, second])
    author, reviewer = make_user(role=Role.EDITOR), make_user(role=Role.REVIEWER)
    article = create_article(question="Which topic?", topics=[first])
    draft = save_revision(
        article, author=author, question="Which topic?", sections=make_sections(), topics=[first]
    )
    db.session.commit()
    assert _counts() == {"first": 0, "second": 0}  # a draft is not public

    _approve(draft, author, reviewer)
    assert _counts() == {"first": 1, "second": 0}

    moved = save_revision(
        article, author=author, question="Which topic?", sections=make_sections(), topics=[second]
    )
    review.submit(moved, actor=author)
    db.session.commit()
    assert _counts() == {"first": 1, "second": 0}  # readers still see the live revision
    review.start_review(moved, reviewer=reviewer)
    review.approve(moved, reviewer=reviewer, override_reason="Test")
    db.session.commit()
    assert _counts() == {"first": 0, "second": 1}

    seed_synthetic(40)
    db.session.commit()
    counts = _counts()
    public_per_topic = dict(
        db.session.execute(
            sa.select(Topic.slug, sa.func.count(Article.id))
            .join(article_topics, article_topics.c.topic_id == Topic.id)
            .join(Article, Article.id == article_topics.c.article_id)
            .where(publicly_visible())
            .group_by(Topic.slug)
        ).all()
    )
    assert counts == {slug: public_per_topic.get(slug, 0) for slug in counts}
    assert sum(n for slug, n in counts.items() if slug.startswith("synthetic-")) == 40
    assert (counts["first"], counts["second"]) == (0, 1)


def test_a_sent_back_revision_is_never_public(app):
    article = make_article(status="changes_requested")
    db.session.commit()
    assert public_revision(article) is None
    assert find_article(article.slug) is None


def _provenance_migration():
    import importlib.util
    from pathlib import Path

    path = next(
        (Path(__file__).resolve().parents[2] / "migrations" / "versions").glob("51681f8d6c8b_*.py")
    )
    spec = importlib.util.spec_from_file_location("restores_and_sent_back", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_takes_down_what_the_old_rule_published_from_a_sent_back_revision(app):
    from models import CachedPage, SearchDocument
    from services import search

    topic = Topic(slug="flux", name="Flux")
    db.session.add(topic)
    sent_back = make_article(status="changes_requested")
    waiting = make_article(status="submitted")
    live = make_article(status="approved")
    author = make_user(role=Role.EDITOR)
    newer = save_revision(live, author=author, question=live.question, sections=make_sections())
    review.submit(newer, actor=author)
    review.start_review(newer, reviewer=make_user(role=Role.REVIEWER))
    review.request_changes(newer, reviewer=newer.reviewer, comment="No.")
    # What the old rule left behind: the sent-back revision public, indexed, counted, cached.
    sent_back.public_revision = sent_back.latest_revision
    sent_back.topics = [topic]
    search.index_article(sent_back)
    db.session.flush()
    topic.article_count = 1
    db.session.add(
        CachedPage(
            key="k", site_version=0, etag="e", headers=[], body=b"", body_gzip=b"", body_br=b""
        )
    )
    db.session.commit()

    changed = _provenance_migration().unpublish_sent_back(db.session.connection())
    db.session.commit()
    db.session.expire_all()
    assert changed == 1
    assert sent_back.public_revision_id is None and find_article(sent_back.slug) is None
    assert db.session.get(SearchDocument, sent_back.id) is None
    assert topic.article_count == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CachedPage)) == 0
    assert waiting.public_revision_id == waiting.latest_revision_id  # submitted: stays public
    assert live.public_revision_id == live.live_revision_id  # approved: its live text stays
    assert _provenance_migration().unpublish_sent_back(db.session.connection()) == 0
