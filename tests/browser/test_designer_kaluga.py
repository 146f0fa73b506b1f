"""The regional coordinator makes the next version of the published Kaluga school form:
adds a question, removes an option, sees the differences and the warning for the removed
option, publishes version 2. The campaign opened with version 1 keeps it; the answers of
both versions come out in one sheet, lined up by field id."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl
from playwright.sync_api import expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import Campaign, FormResponse, FormVersion
from collector.schema import compile_text
from tests.browser.test_login_menus import log_in
from tests.campaigns.factories import new_campaign

KALUGA_SCHOOL = Path(__file__).parents[2] / "form_schemas" / "kaluga-1829-school.json"


def test_next_version_of_the_kaluga_school_form(page, server, tree, people, app):
    document = compile_text(KALUGA_SCHOOL.read_text(encoding="utf-8")).document
    campaign = new_campaign(
        tree, people, deadline=datetime(2027, 5, 30, 23, 59), document=document, opened=True
    )
    first = campaign.form_version
    # The region's form: its coordinators make its next versions (the demo does the same).
    first.owner_unit_id = tree["region"].id
    answered = db.session.scalar(
        select(FormResponse).where(
            FormResponse.campaign_id == campaign.id,
            FormResponse.unit_id == tree["school_a1"].id,
        )
    )
    answered.answers = {
        "responsible_appointed": True,
        "ovz_conditions": True,
        "ovz_forms": ["in_person", "distance"],
    }
    answered.status = "submitted"
    db.session.commit()

    page.set_viewport_size({"width": 1400, "height": 1000})
    log_in(page, server.url, "region")
    page.goto(server.url + "/designer/")
    row = page.locator("tr[data-form='kaluga-1829-school']")
    with page.expect_navigation():
        row.get_by_test_id("revise").click()

    # A new question at the end of section 11.1.
    adder = page.locator("li.outline-section").first.locator("form").last
    adder.locator("select[name=type]").select_option("integer")
    with page.expect_navigation():
        adder.get_by_test_id("add-field").click()
    page.locator("input[name=id]").fill("career_days")
    page.locator("textarea[name=label_ru]").fill("Количество дней профессий в школе")
    page.locator("input[name=unit]").fill("ед.")
    page.locator("input[name=min]").fill("0")
    with page.expect_navigation():
        page.get_by_test_id("save-element").click()
    expect(page.get_by_test_id("no-issues")).to_be_visible()

    # The option "distance learning" removed from ovz_forms (section 11.4).
    with page.expect_navigation():
        page.locator("a[data-field-id=ovz_forms]").click()
    expect(page.locator("input[name='options-1-value']")).to_have_value("distance")
    page.locator("input[name='options-1-remove']").check()
    with page.expect_navigation():
        page.get_by_test_id("save-element").click()
    expect(page.locator("input[name='options-1-value']")).to_have_count(0)

    # The differences, with the warning where answers already given lose their option.
    with page.expect_navigation():
        page.get_by_test_id("publish").click()
    diff = page.get_by_test_id("diff")
    expect(diff.locator("tr[data-kind=field_added]")).to_contain_text("career_days")
    removed = diff.locator("tr[data-kind=option_removed]")
    expect(removed).to_contain_text("ovz_forms.distance")
    expect(removed).to_contain_text("Дистанционное обучение")
    expect(page.get_by_test_id("warning")).to_have_count(1)
    # One school's answer holds the option: it is counted, not guessed.
    expect(page.get_by_test_id("warning")).to_have_attribute("data-touched", "1")
    with page.expect_navigation():
        page.get_by_test_id("publish-confirm").click()

    db.session.expire_all()
    versions = db.session.scalars(
        select(FormVersion.version).where(FormVersion.form_id == "kaluga-1829-school")
    ).all()
    assert sorted(versions) == [1, 2]
    second = db.session.scalar(
        select(FormVersion).where(
            FormVersion.form_id == "kaluga-1829-school", FormVersion.version == 2
        )
    )
    assert second.owner_unit_id == tree["region"].id

    # The open campaign keeps version 1: the school's report does not ask the new question.
    assert db.session.get(Campaign, campaign.id).form_version_id == first.id
    page.goto(f"{server.url}/entry/response/{answered.id}")
    expect(page.locator("#field-responsible_appointed")).to_be_visible()
    expect(page.locator("#field-career_days")).to_have_count(0)

    # A report made on version 2 (outside the campaign), then the sheet of all versions.
    db.session.add(
        FormResponse(
            form_version_id=second.id,
            form_id="kaluga-1829-school",
            unit_id=tree["school_a2"].id,
            status="draft",
            answers={"responsible_appointed": False, "career_days": 3, "ovz_forms": ["in_person"]},
        )
    )
    db.session.commit()
    page.goto(server.url + "/designer/")
    with page.expect_download() as download:
        page.locator("tr[data-form='kaluga-1829-school'] a[href$='answers.xlsx']").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[1])
    by_unit = {row[0]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert set(by_unit) == {"МКОУ «СОШ № 1»", "МКОУ «СОШ № 2»"}
    old, new = by_unit["МКОУ «СОШ № 1»"], by_unit["МКОУ «СОШ № 2»"]
    assert (old["Версия формы"], new["Версия формы"]) == (1, 2)
    days = "Количество дней профессий в школе, ед."
    distance = "В каких формах созданы условия: Дистанционное обучение"
    assert (old[days], new[days]) == (None, 3)
    # The option version 2 dropped keeps its column: version 1's answer is not lost.
    assert (old[distance], new[distance]) == (True, False)
