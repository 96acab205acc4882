from services.reading.readability import measure


def test_plain_text_measures_lower_than_clinical_text():
    plain = measure("Your body makes too many white cells. Medicine can help. Ask your team.")
    clinical = measure(
        "Allogeneic haematopoietic stem cell transplantation remains the consolidative "
        "modality associated with the most durable remissions in eligible patients."
    )
    assert plain.fk_grade < 6 < clinical.fk_grade
    assert plain.smog_grade is not None and plain.word_count == 13


def test_list_items_count_as_sentences():
    as_list = measure("- one short item\n- two short items\n- three short items\n" * 5)
    assert as_list.fk_grade < 4


def test_empty_text_has_no_grade():
    assert measure("").fk_grade is None


def test_over_target_variants_are_flagged(app):
    from models import ReadingLevel, SectionKind
    from services.editorial.revisions import SectionInput
    from services.reading.personalization import load_audiences
    from services.reading.readability import over_target
    from tests.factories import make_article

    hard = (
        "Allogeneic haematopoietic stem cell transplantation remains the consolidative "
        "modality associated with the most durable remissions in eligible patients."
    )
    article = make_article(
        status="draft",
        sections=[
            SectionInput(
                SectionKind.GUIDELINES,
                "From the Guidelines",
                {ReadingLevel.PLAIN: hard, ReadingLevel.CLINICAL: hard},
            )
        ],
    )
    flagged = over_target(article.latest_revision, load_audiences().levels)
    assert [(f.heading, f.level, f.target) for f in flagged] == [
        ("From the Guidelines", "plain", 8.0)
    ]
