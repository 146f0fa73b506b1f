"""The layout at the widths people use: the top navigation of the fullest menu (an
administrator's) is one row at 1366×768; the public registry of organisations fits a
desktop and, on a 390-px phone, scrolls sideways inside its own box while the page does
not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collector.extensions import db
from collector.publishing.services import publish
from collector.registries import services
from collector.schema import compile_document
from tests.browser.test_login_menus import log_in

FORMS = Path(__file__).resolve().parents[2] / "form_schemas"
REGISTRY = "tomsk-2016-university-schools"

NAV_ROWS = """() => {
  const items = [...document.querySelectorAll(
    "nav.navbar .navbar-brand, nav.navbar .navbar-nav > li")].filter((e) => e.offsetParent);
  const middles = items.map((e) => {
    const r = e.getBoundingClientRect();
    return (r.top + r.bottom) / 2;
  });
  const bar = document.querySelector("nav.navbar").getBoundingClientRect();
  const wrapped = [...document.querySelectorAll("nav.navbar .nav-link")]
    .filter((e) => e.offsetParent && e.getClientRects().length > 1)
    .map((e) => e.textContent.trim());
  return {
    items: items.length,
    spread: Math.max(...middles) - Math.min(...middles),
    height: bar.height,
    wrapped: wrapped,
  };
}"""

OVERFLOW = """() => {
  const box = document.querySelector("[data-testid=public-records-box]");
  const table = document.querySelector("[data-testid=public-records]");
  return {
    page: document.scrollingElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
    box: box.clientWidth,
    boxRight: box.getBoundingClientRect().right,
    table: table.getBoundingClientRect().width,
    scrollsInside: getComputedStyle(box).overflowX,
    headers: [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim()),
  };
}"""


def test_the_fullest_menu_is_one_row_at_1366(browser, server, people):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    log_in(page, server.url, people["admin"].username)
    measured = page.evaluate(NAV_ROWS)
    assert measured["items"] >= 8
    # Every item on one line: their middles within a few pixels, no link broken in two,
    # and the bar one row of Bootstrap's navbar high (56 px; two rows are 96).
    assert measured["spread"] < 8, measured
    assert measured["wrapped"] == [], measured
    assert measured["height"] < 64, measured
    context.close()


@pytest.fixture
def organisations(app, tree, people):
    """Tomsk's registry of university schools, the shipped form, with one record of long
    texts published by the first school."""
    document = json.loads((FORMS / f"{REGISTRY}.json").read_text(encoding="utf-8"))
    publish(db.session, compile_document(document), None)
    db.session.commit()
    kept = services.registry(db.session, REGISTRY)
    school = tree["school_a1"]
    record = {
        "org_name": school.name,
        "legal_status": "Муниципальное автономное общеобразовательное учреждение",
        "founder": "Департамент образования администрации Города Томска; "
        "Национальный исследовательский Томский политехнический университет",
        "training_directions": "Физика и материаловедение, исследовательская деятельность "
        "в лабораториях Томского научного центра; инженерное проектирование; "
        "https://tpu.ru/research/laboratories/material-science-and-engineering",
        "profiles": ["tech", "science"],
        "funding": ["municipal", "regional"],
        "pupils": 512,
        "grades": "5–11",
        "founded_on": "1990-09-01",
        "website": "https://licey-akademicheskiy.tomsk.example.ru/",
    }
    found = services.create_record(db.session, people["school"], kept, school, record, True)
    assert not isinstance(found, list), found
    db.session.commit()
    return kept


@pytest.mark.parametrize("width", [390, 1366])
def test_the_public_registry_fits_the_screen(browser, server, organisations, tree, width):
    context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{server.url}/public/registries/{REGISTRY}")
    measured = page.evaluate(OVERFLOW)
    # The page itself never scrolls sideways, and the table's box ends on the screen.
    assert measured["page"] <= measured["viewport"], measured
    assert measured["boxRight"] <= measured["viewport"], measured
    assert measured["scrollsInside"] == "auto"
    # The organisation once: its record's name, no column of its own beside it.
    assert measured["headers"][0] == "Наименование организации"
    assert "Организация" not in measured["headers"]
    if width >= 1366:
        # A desktop shows every column without scrolling.
        assert measured["table"] <= measured["box"] + 1, measured
    context.close()
