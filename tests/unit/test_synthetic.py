import sqlalchemy as sa

from extensions import db
from models import Article, ReviewStatus, Revision
from services.editorial.publishing import refresh_publication
from services.seeding.synthetic import seed_synthetic


def test_synthetic_articles_are_public_approved_and_marked(app):
    first = seed_synthetic(30)
    db.session.commit()
    articles = db.session.scalars(sa.select(Article).order_by(Article.id)).all()
    assert first == 1 and len(articles) == 30
    for article in articles:
        assert article.is_synthetic and not article.is_demo
        assert article.question.startswith("Synthetic test article")
        assert article.live_revision.status == ReviewStatus.APPROVED
        assert article.topics and article.live_revision.sections


def test_bulk_pointers_agree_with_the_publication_rule(app):
    seed_synthetic(5)
    db.session.commit()
    for article in db.session.scalars(sa.select(Article)):
        spanish = article.listing_translations["es"]
        stored = (article.latest_revision_id, article.public_revision_id, article.summaries)
        stored_es = (spanish.question, spanish.summaries)
        refresh_publication(article)
        assert stored == (article.latest_revision_id, article.public_revision_id, article.summaries)
        spanish = article.listing_translations["es"]
        assert stored_es == (spanish.question, spanish.summaries)
        assert spanish.question.startswith("¿Artículo sintético")
        assert article.summary_plain and article.summary_plain != article.summary
        assert article.public_revision_id == article.live_revision_id


def test_seeding_twice_appends_with_fresh_ids(app):
    seed_synthetic(3)
    db.session.commit()
    assert seed_synthetic(2) == 4
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Revision.id))) == 5
    slugs = db.session.scalars(sa.select(Article.slug).order_by(Article.slug)).all()
    assert slugs[-1] == "synthetic-000005"


def test_synthetic_article_page_says_what_it_is(app, client):
    seed_synthetic(1)
    db.session.commit()
    html = client.get("/articles/synthetic-000001").get_data(as_text=True)
    assert "Synthetic test content." in html and 'content="noindex"' in html
