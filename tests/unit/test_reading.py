from extensions import db
from models import ReadingLevel, SectionKind, Topic
from services.editorial.revisions import SectionInput
from services.reading.view import build_view, choose_variant, related_articles
from tests.factories import make_article, make_reference

L = ReadingLevel


def section_with(*levels):
    article = make_article(
        status="approved",
        sections=[
            SectionInput(SectionKind.GUIDELINES, "G", {lv: f"{lv.value} text." for lv in levels})
        ],
    )
    return article.latest_revision.sections[0]


def test_missing_plain_falls_back_to_nearest_more_technical(app):
    assert choose_variant(section_with(L.STANDARD, L.CLINICAL), L.PLAIN).level == L.STANDARD
    assert choose_variant(section_with(L.CLINICAL), L.PLAIN).level == L.CLINICAL


def test_exact_level_is_preferred(app):
    assert choose_variant(section_with(L.PLAIN, L.CLINICAL), L.PLAIN).level == L.PLAIN


def test_view_numbers_citations_across_summary_and_sections(app):
    make_reference("first")
    make_reference("second")
    article = make_article(
        status="approved",
        sections=[
            SectionInput(SectionKind.SUMMARY, "S", {L.CLINICAL: "Answer [@second]."}),
            SectionInput(SectionKind.GUIDELINES, "G", {L.CLINICAL: "A [@first]. B [@second]."}),
        ],
    )
    db.session.commit()
    view = build_view(article, L.CLINICAL, card_url=lambda key: f"/c/{key}")
    assert [(c.number, c.reference.key) for c in view.references] == [(1, "second"), (2, "first")]
    assert view.summary is not None and len(view.sections) == 1
    assert view.broken_keys == []


def test_view_reports_broken_keys(app):
    article = make_article(status="approved", sections=None)  # cites [@ref], which doesn't exist
    db.session.commit()
    view = build_view(article, L.CLINICAL, card_url=str)
    assert view.broken_keys == ["ref"] and view.references == []


def in_topics(*topics, status="approved"):
    article = make_article(status=status)
    article.topics = list(topics)
    db.session.flush()
    return article


def test_related_lists_only_other_public_articles_sharing_a_topic(app):
    topic, other = Topic(slug="shared", name="Shared"), Topic(slug="other", name="Other")
    db.session.add_all([topic, other])
    article = in_topics(topic, other)
    public = [in_topics(topic) for _ in range(4)] + [in_topics(topic, status="submitted")]
    public += [in_topics(other)]
    in_topics(topic, status="draft")
    in_topics(Topic(slug="unrelated", name="Unrelated"))
    db.session.commit()

    everything = related_articles(article, limit=20)
    assert set(everything) == set(public)  # not itself, not the draft, not the unrelated
    assert [a.id for a in everything] == sorted((a.id for a in public), reverse=True)
    assert related_articles(article, limit=3) == everything[:3]


def test_related_finds_public_articles_behind_many_newer_drafts(app):
    topic = Topic(slug="busy", name="Busy")
    db.session.add(topic)
    article = in_topics(topic)
    public = [in_topics(topic) for _ in range(2)]
    for _ in range(15):  # new articles being written in the topic, not yet sent for review
        in_topics(topic, status="draft")
    db.session.commit()
    assert set(related_articles(article, limit=4)) == set(public)
