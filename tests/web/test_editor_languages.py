"""The editor per language: Spanish wording edited beside its English, kept on English saves,
previewed and checked in Spanish, its source marked, and covered by conflicts and review.

Posts are built from the editor page itself (every field the browser would send), so what the
page carries hidden is tested as well as what it shows.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from extensions import db
from models import ReadingLevel, Role, SectionKind
from services.editorial import review
from services.editorial.revisions import SectionInput, save_revision
from tests.web.test_editor import login, staff

L = ReadingLevel
SPANISH_PLAIN = "Beba mucha agua antes del tratamiento [@ref]."


class _EditorForm(HTMLParser):
    """Every successful control of #editor-form as a browser would post it (no button)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._inside = a.get("id") == "editor-form"
        if not self._inside or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "textarea" and self._textarea:
            text = self._text[1:] if self._text.startswith("\n") else self._text
            self.fields.append((self._textarea, text))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def posted(page: str, **changes) -> dict[str, str]:
    parser = _EditorForm()
    parser.feed(page)
    fields = dict(parser.fields)
    fields.update(changes)
    return fields


def _sections(english_plain: str = "Drink plenty of water before treatment [@ref].") -> list:
    return [
        SectionInput(
            SectionKind.SUMMARY,
            "Short answer",
            {L.CLINICAL: "Hydrate before treatment [@ref].", L.PLAIN: english_plain},
            {"es": {L.PLAIN: SPANISH_PLAIN}},
            {"es": "Respuesta breve"},
        ),
        SectionInput(
            SectionKind.GUIDELINES,
            "From the Guidelines",
            {L.CLINICAL: "Guidelines advise hydration [@ref].", L.PLAIN: "Doctors agree [@ref]."},
        ),
    ]


@pytest.fixture
def article(editor):
    """Approved: revision 1 with Spanish, revision 2 with new English the Spanish lags."""
    from tests.factories import make_article, make_user

    author = make_user(role=Role.EDITOR)
    made = make_article(slug="agua", author=author, sections=_sections(), question="Why water?")
    second = save_revision(
        made,
        author=author,
        question="Why water?",
        question_translations={"es": "¿Por qué agua?"},
        sections=_sections("Drink water, and then more water [@ref]."),
        based_on_id=made.latest_revision_id,
    )
    review.submit(second, actor=author)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    review.start_review(second, reviewer=reviewer)
    review.approve(second, reviewer=reviewer, override_reason="Test")
    db.session.commit()
    return made


def _spanish(revision, position=0, level=L.PLAIN):
    section = next(s for s in revision.sections if s.position == position)
    return next((w for w in section.translations if w.level == level), None)


def test_english_view_carries_spanish_and_an_english_save_keeps_it(client, article):
    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    assert 'aria-label="Language of the wording"' in page and ">Spanish</button>" in page
    assert 'name="sections-0-tr-es-plain"' in page and 'class="translation-store" hidden' in page
    assert "Also written in Spanish (plain)" in page
    data = posted(page, action="save")
    data["sections-1-plain"] = "Doctors agree, all of them [@ref]."
    response = client.post(f"/admin/articles/{article.id}/edit", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    latest = article.latest_revision
    assert latest.number == 3
    assert _spanish(latest).body == SPANISH_PLAIN
    assert latest.sections[0].heading_translations == {"es": "Respuesta breve"}
    assert latest.question_translations == {"es": "¿Por qué agua?"}
    # Unchanged Spanish keeps its source: revision 1's English.
    assert _spanish(latest).source_revision.number == 1


def test_spanish_travels_with_its_section_when_sections_move(client, article):
    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    moved = client.post(
        f"/admin/articles/{article.id}/edit", data=posted(page, action="move-down:0")
    ).get_data(as_text=True)
    data = posted(moved, action="save")
    assert data["sections-1-tr-es-plain"] == SPANISH_PLAIN and data["sections-0-tr-es-plain"] == ""
    assert client.post(f"/admin/articles/{article.id}/edit", data=data).status_code == 303
    db.session.expire_all()
    latest = article.latest_revision
    assert latest.sections[1].kind == SectionKind.SUMMARY
    assert _spanish(latest, 1).body == SPANISH_PLAIN and _spanish(latest, 0) is None


def test_spanish_view_edits_spanish_beside_its_english(client, article):
    page = client.get(f"/admin/articles/{article.id}/edit?language=es").get_data(as_text=True)
    assert 'aria-current="true">Spanish</button>' in page
    assert 'id="sections-0-tr-es-plain"' in page and 'lang="es"' in page
    assert "Based on English revision 1" in page and "the English has changed since" in page
    assert "Mark as still current" in page and 'form="still-current-0-plain"' in page
    assert "Target: Fernández Huerta ease at least 70" in page
    assert "Question (Spanish)" in page and "¿Por qué agua?" in page
    # English is carried hidden; its structure tools are the English view's.
    assert 'name="sections-0-plain"' in page and "Move up" not in page
    data = posted(page, action="save")
    data["sections-1-tr-es-plain"] = "Los médicos están de acuerdo [@ref]."
    data["sections-1-tr-es-heading"] = "Lo que dicen las guías"
    response = client.post(f"/admin/articles/{article.id}/edit", data=data)
    assert response.status_code == 303 and response.location.endswith("language=es")
    db.session.expire_all()
    latest = article.latest_revision
    new = _spanish(latest, 1)
    assert new.body == "Los médicos están de acuerdo [@ref]."
    assert new.source_revision_id == latest.id
    assert latest.sections[1].heading_translations == {"es": "Lo que dicen las guías"}
    assert _spanish(latest).body == SPANISH_PLAIN  # the other translation untouched
    assert [v.body for v in latest.sections[1].variants] == [
        "Guidelines advise hydration [@ref].",
        "Doctors agree [@ref].",
    ]
    again = client.get(f"/admin/articles/{article.id}/edit?language=es").get_data(as_text=True)
    assert f"Based on English revision {latest.number}" in again


def test_switching_language_keeps_what_was_typed(client, article):
    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    data = posted(page, action="language:es")
    data["sections-0-plain"] = "Typed English, unsaved."
    response = client.post(f"/admin/articles/{article.id}/edit", data=data)
    spanish = response.get_data(as_text=True)
    assert response.status_code == 200 and 'aria-current="true">Spanish</button>' in spanish
    assert "Typed English, unsaved." in spanish
    back = posted(spanish, action="language:en")
    english = client.post(f"/admin/articles/{article.id}/edit", data=back).get_data(as_text=True)
    assert 'aria-current="true">English</button>' in english
    assert "Typed English, unsaved." in english and SPANISH_PLAIN in english
    assert article.latest_revision.number == 2  # nothing saved


def test_preview_in_spanish_with_ease_and_spanish_checks(client, article):
    page = client.get(f"/admin/articles/{article.id}/edit?language=es").get_data(as_text=True)
    data = posted(page, preview_level="plain")
    data["sections-1-tr-es-plain"] = "Los médicos están de acuerdo. Tome 50 mg al día."
    response = client.post(
        f"/admin/articles/{article.id}/preview", data=data, headers={"HX-Request": "true"}
    )
    panel = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Los médicos están de acuerdo" in panel and "Beba mucha agua" in panel
    assert "Reading ease of each Spanish text" in panel and "Respuesta breve" in panel
    assert "Numbers without a citation" in panel and "Tome 50 mg al día." in panel
    assert 'lang="es"' in panel


def test_mark_still_current_from_the_editor_returns_to_it(client, article):
    page = client.get(f"/admin/articles/{article.id}/edit?language=es").get_data(as_text=True)
    start = page.index('<form id="still-current-0-plain"')
    little = page[start : page.index("</form>", start)]
    fields = dict(
        (part.split('name="', 1)[1].split('"', 1)[0], part.split('value="', 1)[1].split('"', 1)[0])
        for part in little.split("<input")[1:]
    )
    assert fields["return_to"] == "editor" and fields["language"] == "es"
    response = client.post(f"/admin/articles/{article.id}/translations/still-current", data=fields)
    assert response.status_code == 303
    assert response.location.endswith(f"/admin/articles/{article.id}/edit?language=es")
    db.session.expire_all()
    latest = article.latest_revision
    assert _spanish(latest).source_revision_id == latest.id
    after = client.get(response.location).get_data(as_text=True)
    assert "the English has changed since" not in after


def test_a_conflict_shows_their_spanish_change(client, article):
    page = client.get(f"/admin/articles/{article.id}/edit?language=es").get_data(as_text=True)
    other = staff(Role.EDITOR, "Olga Other")
    db.session.commit()
    sections = _sections("Drink water, and then more water [@ref].")
    sections[0].translations = {"es": {L.PLAIN: "Beba agua, y luego más agua [@ref]."}}
    save_revision(
        article,
        author=other,
        question="Why water?",
        sections=sections,
        based_on_id=article.latest_revision_id,
    )
    db.session.commit()
    data = posted(page, action="save")
    data["sections-0-tr-es-plain"] = "Beba agua a menudo [@ref]."
    response = client.post(f"/admin/articles/{article.id}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "— Spanish</h4>" in html, html[html.find("conflict-title") :][:3000]
    assert "luego más agua" in html and "Beba agua a menudo" in html
    db.session.expire_all()
    assert article.latest_revision.author_id == other.id  # theirs stands, nothing overwritten


def test_review_diff_shows_spanish(client, article):
    author = staff(Role.EDITOR, "Wendy Writer")
    db.session.commit()
    sections = _sections("Drink water, and then more water [@ref].")
    sections[0].translations = {"es": {L.PLAIN: "Beba agua con frecuencia [@ref]."}}
    draft = save_revision(
        article,
        author=author,
        question="Why water?",
        question_translations={"es": "¿Por qué beber agua?"},
        sections=sections,
        based_on_id=article.latest_revision_id,
    )
    review.submit(draft, actor=author)
    db.session.commit()
    login(client, staff(Role.REVIEWER, "Rita Reviewer"))
    db.session.commit()
    page = client.get(f"/admin/review/{draft.id}").get_data(as_text=True)
    assert "Question — Spanish" in page
    assert "Plain wording — Spanish" in page or "— Spanish</h4>" in page
    assert "con frecuencia" in page


# -- The dashboard's "Translations out of date" --------------------------------------------------


def approve_still_current(article):
    """Mark the first section's plain Spanish of the latest revision as still current, and
    approve that revision; returns the revision it superseded."""
    from services.editorial import translations
    from tests.factories import make_user

    latest = article.latest_revision
    fresh = translations.mark_still_current(
        article,
        actor=latest.author,
        position=0,
        language="es",
        level=L.PLAIN,
        based_on_id=latest.id,
    )
    review.submit(fresh, actor=latest.author)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    review.start_review(fresh, reviewer=reviewer)
    review.approve(fresh, reviewer=reviewer, override_reason="Test")
    db.session.commit()
    return latest


def _lagging_article(slug: str):
    from tests.factories import make_article, make_user

    author = make_user(role=Role.EDITOR)
    made = make_article(slug=slug, author=author, sections=_sections(), question=f"{slug}?")
    second = save_revision(
        made,
        author=author,
        question=f"{slug}?",
        sections=_sections(f"New English for {slug} [@ref]."),
        based_on_id=made.latest_revision_id,
    )
    review.submit(second, actor=author)
    reviewer = make_user(role=Role.REVIEWER, credentials="MD")
    review.start_review(second, reviewer=reviewer)
    review.approve(second, reviewer=reviewer, override_reason="Test")
    return made


def test_dashboard_lists_translations_out_of_date(client, article):
    page = client.get("/admin/").get_data(as_text=True)
    start = page.index('id="translations_behind"')
    listed = page[start : page.index("</section>", start)]
    assert 'Translations out of date <span class="count">(1)</span>' in listed
    assert "Why water?</a>: Short answer" in listed
    assert "Spanish plain: follows the English of revision 1; readers see revision 2." in listed
    assert f'href="/admin/articles/{article.id}/edit?language=es"' in listed
    # Marked as still current and approved: off the list.
    approve_still_current(article)
    again = client.get("/admin/").get_data(as_text=True)
    start = again.index('id="translations_behind"')
    assert "Nothing here." in again[start : again.index("</section>", start)]


def test_translations_out_of_date_cost_does_not_grow_with_rows(client, article):
    from tests.web.test_review_pages import count_queries

    count_queries(client, "/admin/?show=translations_behind")  # warm: the user, the session
    one = count_queries(client, "/admin/?show=translations_behind")
    for n in range(4):
        _lagging_article(f"more-{n}")
    db.session.commit()
    page = client.get("/admin/?show=translations_behind").get_data(as_text=True)
    assert page.count("Edit the Spanish") == 5
    count_queries(client, "/admin/?show=translations_behind")
    assert count_queries(client, "/admin/?show=translations_behind") == one


def test_approval_gate_counts_a_broken_key_in_spanish(client, article):
    from services.editorial.review import ApprovalBlocked

    author = staff(Role.EDITOR, "Wendy Writer")
    reviewer = staff(Role.REVIEWER, "Rita Reviewer")
    sections = _sections("Drink water, and then more water [@ref].")
    sections[1].translations = {"es": {L.PLAIN: "Los médicos están de acuerdo [@no-such-key]."}}
    draft = save_revision(
        article,
        author=author,
        question="Why water?",
        sections=sections,
        based_on_id=article.latest_revision_id,
    )
    review.submit(draft, actor=author)
    review.start_review(draft, reviewer=reviewer)
    with pytest.raises(ApprovalBlocked, match="no-such-key"):
        review.approve(draft, reviewer=reviewer)
    db.session.rollback()


def test_a_conflict_from_an_english_only_post_does_not_claim_spanish_removed(client, article):
    page = client.get(f"/admin/articles/{article.id}/edit").get_data(as_text=True)
    other = staff(Role.EDITOR, "Olga Other")
    db.session.commit()
    save_revision(
        article,
        author=other,
        question="Why water, really?",
        sections=_sections("Drink water, and then more water [@ref]."),
        based_on_id=article.latest_revision_id,
    )
    db.session.commit()
    data = {k: v for k, v in posted(page, action="save").items() if "-tr-" not in k}
    del data["translations_posted"]
    response = client.post(f"/admin/articles/{article.id}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "— Spanish" not in html


def test_a_translation_that_drops_a_citation_blocks_approval(client, article):
    """A Spanish wording must cite the sources its English cites: dropping one tells the reader
    less about where the claim comes from, so approval needs an override reason."""
    from services.editorial.review import ApprovalBlocked

    author = staff(Role.EDITOR, "Wendy Writer")
    reviewer = staff(Role.REVIEWER, "Rita Reviewer")
    sections = _sections()
    sections[1].translations = {"es": {L.PLAIN: "Los médicos están de acuerdo."}}
    draft = save_revision(
        article,
        author=author,
        question="Why water?",
        sections=sections,
        based_on_id=article.latest_revision_id,
    )
    review.submit(draft, actor=author)
    review.start_review(draft, reviewer=reviewer)
    db.session.commit()
    login(client, reviewer)
    page = client.get(f"/admin/review/{draft.id}").get_data(as_text=True)
    assert "leaves out <code>@ref</code>, compared with its English" in page
    with pytest.raises(ApprovalBlocked, match="does not cite what its English cites; missing @ref"):
        review.approve(draft, reviewer=reviewer)
    db.session.rollback()
    review.approve(draft, reviewer=reviewer, override_reason="The source is cited just above.")
    assert draft.status.value == "approved"
