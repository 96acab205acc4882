"""The stored "public wording above its reading target" flag follows publication and targets.

The staff dashboard lists flagged articles through an index on the flag, so the flag must be
true whenever the comparison it stands for is: after a publication changes what readers see, and
after an admin changes a level's target.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from extensions import db
from models import Article, ReadingLevel, Role, SectionKind
from services.editorial import review
from services.editorial.publishing import reads_above_target, refresh_over_target
from services.editorial.revisions import SectionInput, save_revision
from services.staff import worklists
from services.staff.settings import update_settings
from tests.factories import make_article, make_sections, make_user
from tests.unit.test_audience_settings import current

HARD_PLAIN = (
    "Pharmacokinetic considerations notwithstanding, concomitant administration necessitates "
    "comprehensive haematological surveillance throughout consolidation chemotherapy."
)

# Flesch-Kincaid grade 8.4: just above plain wording's target of 8.
SLIGHTLY_HARD_PLAIN = (
    "Doctors check the blood often during treatment because the drugs can lower blood counts "
    "and cause infections."
)


def hard_sections(plain: str = HARD_PLAIN) -> list[SectionInput]:
    return [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            {ReadingLevel.CLINICAL: "Answer [@ref].", ReadingLevel.PLAIN: plain},
        )
    ]


def flagged() -> list[str]:
    """Questions of the flagged articles, as the dashboard lists them."""
    return [
        a.question for a in db.session.scalars(sa.select(Article).where(Article.public_over_target))
    ]


def dashboard_list() -> list[str]:
    editor = make_user(role=Role.EDITOR)
    lists = worklists.dashboard(editor, today=date(2026, 1, 1))
    return [a.question for a in lists["over_target"].rows]


def test_publication_sets_the_flag_only_for_public_wording_above_target(app):
    make_article(question="Hard live?", sections=hard_sections())
    make_article(question="Easy live?")
    make_article(question="Hard draft?", status="draft", sections=hard_sections())
    make_article(question="Hard pending?", status="submitted", sections=hard_sections())
    db.session.commit()
    # A never-approved article is public as its submitted revision: readers see that wording.
    assert sorted(flagged()) == ["Hard live?", "Hard pending?"]
    assert dashboard_list() == ["Hard live?", "Hard pending?"]


def test_an_approved_easier_revision_clears_the_flag_and_a_harder_one_sets_it(app):
    article = make_article(question="Rewritten?", sections=hard_sections())
    author, reviewer = make_user(role=Role.EDITOR), make_user(role=Role.REVIEWER)
    db.session.commit()
    assert flagged() == ["Rewritten?"]

    easier = save_revision(article, author=author, question="Rewritten?", sections=make_sections())
    review.submit(easier, actor=author)
    db.session.commit()
    assert flagged() == ["Rewritten?"], "readers still see the hard wording until approval"
    review.start_review(easier, reviewer=reviewer)
    review.approve(easier, reviewer=reviewer, override_reason="Test")
    db.session.commit()
    assert flagged() == []

    harder = save_revision(article, author=author, question="Rewritten?", sections=hard_sections())
    review.submit(harder, actor=author)
    review.start_review(harder, reviewer=reviewer)
    review.approve(harder, reviewer=reviewer, override_reason="Plain wording is hard on purpose")
    db.session.commit()
    assert flagged() == ["Rewritten?"]


def test_changing_a_target_reflags_every_article_it_concerns(app):
    make_article(question="Hard live?", sections=hard_sections(SLIGHTLY_HARD_PLAIN))
    make_article(question="Easy live?")
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    assert flagged() == ["Hard live?"]

    roles, levels = current()
    levels[ReadingLevel.PLAIN].target_grade = 9.0
    update_settings(roles=roles, levels=levels, actor=admin)
    db.session.commit()
    assert flagged() == [] and dashboard_list() == []

    roles, levels = current()
    levels[ReadingLevel.PLAIN].target_grade = 8.0
    update_settings(roles=roles, levels=levels, actor=admin)
    db.session.commit()
    assert flagged() == ["Hard live?"] and dashboard_list() == ["Hard live?"]


def test_the_stored_flag_agrees_with_the_comparison_it_stands_for(app):
    for n in range(3):
        make_article(question=f"Hard {n}?", sections=hard_sections())
        make_article(question=f"Easy {n}?")
    make_article(question="Hard draft?", status="draft", sections=hard_sections())
    db.session.commit()
    stored = {a.question: a.public_over_target for a in db.session.scalars(sa.select(Article))}
    assert sum(stored.values()) == 3
    for article in db.session.scalars(sa.select(Article)):
        public = article.public_revision_id
        assert stored[article.question] == (public is not None and reads_above_target(public))
    # and the bulk recomputation agrees with the flags set one publication at a time
    refresh_over_target()
    db.session.commit()
    assert {a.question: a.public_over_target for a in db.session.scalars(sa.select(Article))} == (
        stored
    )
