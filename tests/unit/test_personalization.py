import pytest

from models import LevelSetting, ReadingLevel
from services.reading.personalization import is_over_target, load_audiences, resolve

L = ReadingLevel


@pytest.fixture
def audiences(app):
    return load_audiences()


def test_picker_offers_exactly_the_four_roles_in_order(audiences):
    assert [(r.label, r.level) for r in audiences.roles] == [
        ("Patient or caregiver", L.PLAIN),
        ("Student", L.STANDARD),
        ("Nurse, pharmacist or allied health professional", L.STANDARD),
        ("Physician or advanced practice clinician", L.CLINICAL),
    ]


def test_each_level_has_a_target_grade(audiences):
    assert audiences.levels[L.PLAIN].target_grade == 8
    assert audiences.levels[L.STANDARD].target_grade == 12
    assert audiences.levels[L.CLINICAL].target_grade is None


def test_no_choice_means_clinical_wording(audiences):
    audience = resolve(audiences)
    assert audience.level == L.CLINICAL and not audience.chosen


def test_role_maps_to_its_level(audiences):
    assert resolve(audiences, query_role="patient").level == L.PLAIN
    assert resolve(audiences, query_role="allied").level == L.STANDARD


def test_query_level_overrides_the_remembered_role(audiences):
    audience = resolve(audiences, query_level="plain", remembered_role="physician")
    assert audience.level == L.PLAIN and audience.role.key == "patient"


@pytest.mark.parametrize(
    ("remembered", "marked"),
    [(None, None), ("patient", None), ("student", "student"), ("allied", "allied")],
)
def test_query_level_shows_its_wording_whatever_was_remembered(audiences, remembered, marked):
    """Students and nurses share standard wording: the picker marks a reader's own role, and
    only that mark (never the wording) depends on them."""
    audience = resolve(audiences, query_level="standard", remembered_role=remembered)
    assert audience.level == L.STANDARD and audience.chosen
    assert (audience.role.key if audience.role else None) == marked
    assert audience.announcement == (
        "Showing wording for students, nurses, pharmacists and allied health professionals"
    )


def test_query_level_with_one_role_is_the_same_for_everyone(audiences):
    for remembered in (None, "patient", "allied"):
        audience = resolve(audiences, query_level="plain", remembered_role=remembered)
        assert audience.role.key == "patient"


def test_picked_role_wins_over_the_query_level(audiences):
    audience = resolve(audiences, query_level="plain", query_role="allied")
    assert audience.level == L.STANDARD and audience.role.key == "allied"


def test_unknown_values_are_ignored(audiences):
    assert resolve(audiences, query_level="expert", query_role="wizard").level == L.CLINICAL


def test_announcement_names_the_audience(audiences):
    assert (
        resolve(audiences, query_role="patient").announcement
        == "Showing wording for patients and caregivers"
    )


def test_over_target_flag():
    plain = LevelSetting(level=L.PLAIN, target_grade=8.0)
    clinical = LevelSetting(level=L.CLINICAL, target_grade=None)
    assert is_over_target(8.4, plain) and not is_over_target(7.9, plain)
    assert not is_over_target(19.0, clinical)
