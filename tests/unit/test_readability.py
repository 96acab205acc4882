from services.readability import measure


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
