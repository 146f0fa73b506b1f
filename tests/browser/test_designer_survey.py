"""A regional coordinator builds a small survey from nothing in the designer: three
sections, a single and a multiple choice, a rating grid, a question shown only after an
answer, a cross-field rule and a share indicator with a target; checks expressions as they
are typed, tries answers in the preview, publishes it, opens a survey campaign with it;
two pupils answer through their school's link; the report shows the indicator."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from collector.extensions import db
from collector.models import AuditEvent, FormVersion, SurveyLink
from tests.browser.test_campaign_round import log_out
from tests.browser.test_login_menus import log_in


def add_field(page: Page, section: int, field_type: str) -> None:
    adder = page.locator("li.outline-section").nth(section).locator("form").last
    adder.locator("select[name=type]").select_option(field_type)
    with page.expect_navigation():
        adder.get_by_test_id("add-field").click()


def save(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_test_id("save-element").click()
    expect(page.get_by_test_id("error-summary")).to_have_count(0)


def fill_rows(page: Page, prefix: str, rows: list[tuple[str, str]], code: str) -> None:
    """Options (code, label) or rows (id, label): add rows until there are enough."""
    while page.locator(f"input[name^='{prefix}-'][name$='-{code}']").count() < len(rows):
        with page.expect_navigation():
            page.locator(f"button[value='add:{prefix}']").click()
    for n, (value, label) in enumerate(rows):
        page.locator(f"input[name='{prefix}-{n}-{code}']").fill(value)
        page.locator(f"input[name='{prefix}-{n}-label_ru']").fill(label)


def test_a_survey_from_nothing_to_its_indicator(page, server, tree, people, app):
    page.set_viewport_size({"width": 1400, "height": 1000})
    log_in(page, server.url, "region")
    page.locator("[data-nav='designer.index']").click()

    new = page.get_by_test_id("new-form")
    new.locator("input[name=id]").fill("pupil-trials-2026")
    new.locator("input[name=title]").fill("Профессиональные пробы глазами учеников")
    new.locator("select[name=kind]").select_option("survey")
    with page.expect_navigation():
        new.get_by_test_id("start").click()

    # Identity: a school's figures are shown from one answer on (two pupils answer here).
    page.locator("textarea[name=source_document]").fill("Приказ управления образования № 1")
    page.locator("input[name=min_group_size]").fill("1")
    save(page)

    # Three sections.
    for _ in range(2):
        with page.expect_navigation():
            page.get_by_test_id("add-section").click()
    expect(page.locator("li.outline-section")).to_have_count(3)
    for n, title in enumerate(("О себе", "Участие", "Оценка")):
        page.locator("li.outline-section").nth(n).locator("a").first.click()
        page.locator("input[name=title_ru]").fill(title)
        save(page)

    # Section 1: a single choice.
    add_field(page, 0, "single_choice")
    page.locator("input[name=id]").fill("grade")
    page.locator("textarea[name=label_ru]").fill("В каком классе ты учишься?")
    page.locator("input[name=required]").check()
    fill_rows(page, "options", [("9", "9 класс"), ("10", "10 класс"), ("11", "11 класс")], "value")
    save(page)

    # Section 2: a multiple choice.
    add_field(page, 1, "multiple_choice")
    page.locator("input[name=id]").fill("took_part")
    page.locator("textarea[name=label_ru]").fill("В чём ты участвовал(а) в этом году?")
    fill_rows(
        page,
        "options",
        [("trials", "Профессиональные пробы"), ("excursions", "Экскурсии"), ("none", "Ничего")],
        "value",
    )
    save(page)

    # Section 3: a rating grid, shown only to those who took part in trials.
    add_field(page, 2, "grid")
    page.locator("input[name=id]").fill("trial_scores")
    page.locator("textarea[name=label_ru]").fill("Оцени пробы от 1 до 5")
    fill_rows(page, "rows", [("useful", "Польза"), ("interest", "Интерес")], "id")
    page.locator("input[name='columns-0-id']").fill("score")
    page.locator("input[name='columns-0-label_ru']").fill("Оценка")
    page.locator("input[name='columns-0-min']").fill("1")
    page.locator("input[name='columns-0-max']").fill("5")
    condition = page.locator("input[name=visible_if]")
    # Checked as typed: an unknown id, then the id picked from the list.
    condition.press_sequentially('selected(tookpart, "trials")', delay=5)
    expect(page.get_by_test_id("check-issues")).to_contain_text(
        "условие или формула называет вопрос, которого нет в форме «tookpart»"
    )
    condition.fill('selected(, "trials")')
    condition.evaluate("input => input.setSelectionRange(9, 9)")
    page.locator("select.field-picker").select_option("took_part")
    expect(condition).to_have_value('selected(took_part, "trials")')
    expect(page.get_by_test_id("check-ok")).to_be_visible()
    save(page)

    # A cross-field rule: "nothing" is not ticked with anything else.
    with page.expect_navigation():
        page.get_by_test_id("add-rules").click()
    page.locator("input[name=id]").fill("nothing_alone")
    page.locator("input[name=check]").fill(
        'not (selected(took_part, "none") and (selected(took_part, "trials") '
        'or selected(took_part, "excursions")))'
    )
    expect(page.get_by_test_id("check-ok")).to_be_visible()
    page.locator("input[name=message_ru]").fill("«Ничего» не отмечают вместе с другими")
    page.locator("select[name=fields]").select_option("took_part")
    save(page)

    # The indicator: the share of pupils who took part in trials, with a target.
    with page.expect_navigation():
        page.get_by_test_id("add-indicators").click()
    page.locator("input[name=id]").fill("trials_share")
    page.locator("input[name=code]").fill("2.2")
    page.locator("textarea[name=title_ru]").fill("Доля учеников, прошедших профессиональные пробы")
    page.locator("input[name=formula]").fill('share(selected(took_part, "trials"))')
    expect(page.get_by_test_id("check-ok")).to_be_visible()
    page.locator("input[name=unit]").fill("%")
    page.locator("input[name=targets]").fill("2026: 60")
    page.locator("input[name=source_clause]").fill("п. 2.2")
    save(page)
    expect(page.get_by_test_id("no-issues")).to_be_visible()

    # The preview, drawn by data entry's code: the grid appears once trials are ticked,
    # and the rule speaks when "nothing" is ticked with them; then the phone's size.
    preview = page.frame_locator("#preview")
    expect(preview.locator("#field-grade")).to_be_visible()
    expect(preview.locator("#field-trial_scores")).to_have_count(0)
    preview.locator("input[name=grade][value='10']").check()
    preview.locator("input[name=took_part][value='trials']").check()
    preview.locator("input[name=took_part][value='none']").check()
    preview.locator("button[type=submit]").click()
    expect(preview.locator("#field-trial_scores")).to_be_visible()
    expect(preview.get_by_test_id("preview-problems")).to_contain_text("«Ничего» не отмечают")
    page.locator("button.preview-size[data-size=phone]").click()
    width = page.locator("#preview").evaluate("frame => frame.getBoundingClientRect().width")
    assert width <= 375

    # Publish: version 1 of a new form.
    with page.expect_navigation():
        page.get_by_test_id("publish").click()
    with page.expect_navigation():
        page.get_by_test_id("publish-confirm").click()
    published = db.session.scalar(
        select(FormVersion).where(FormVersion.form_id == "pupil-trials-2026")
    )
    assert published is not None and published.version == 1
    assert published.owner_unit_id == tree["region"].id
    audited = set(db.session.scalars(select(AuditEvent.action)))
    assert {"form.draft_start", "form.draft_save", "form.publish"} <= audited

    # A survey campaign with it, opened.
    page.goto(server.url + "/campaigns/")
    with page.expect_navigation():
        page.get_by_role("link", name="Новая кампания").click()
    page.get_by_label("Название").fill("Опрос о пробах 2026")
    page.get_by_label("Форма").select_option(str(published.id))
    page.get_by_label("Срок для школ и других организаций").fill("2027-05-30T23:59")
    with page.expect_navigation():
        page.get_by_role("button", name="Создать кампанию").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Открыть кампанию").click()
    campaign_url = page.url
    log_out(page)

    # Two pupils of one school answer through its link (two browsers).
    db.session.expire_all()
    token = db.session.scalar(
        select(SurveyLink.token).where(SurveyLink.unit_id == tree["school_a1"].id)
    )
    for took_part in (("trials", "excursions"), ("excursions",)):
        context = page.context.browser.new_context()
        pupil = context.new_page()
        pupil.goto(f"{server.url}/s/{token}")
        pupil.locator("input[name=grade][value='10']").check()
        for code in took_part:
            pupil.locator(f"input[name=took_part][value='{code}']").check()
        if "trials" in took_part:
            # The grid opened by the answer appears at once (live-form.js): answered, sent.
            pupil.locator("input[name='trial_scores-useful__score']").fill("5")
            pupil.locator("input[name='trial_scores-interest__score']").fill("4")
        else:
            expect(pupil.locator("input[name='trial_scores-useful__score']")).to_be_hidden()
        pupil.locator("button[type=submit]").click()
        expect(pupil).to_have_url(f"{server.url}/s/{token}/thanks")
        context.close()

    # The report: 1 of 2 pupils took part in trials, 50 % beside the target of 60 %.
    log_in(page, server.url, "region")
    page.goto(campaign_url)
    with page.expect_navigation():
        page.get_by_test_id("report-link").click()
    indicators = page.get_by_test_id("indicators")
    expect(indicators).to_contain_text("Доля учеников, прошедших профессиональные пробы")
    expect(indicators).to_contain_text("50,0")
    expect(indicators).to_contain_text("60")
