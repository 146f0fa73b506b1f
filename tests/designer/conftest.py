"""Fixtures of the designer tests: the region's coordinator at work, and the small survey
built through the editor's endpoints."""

from __future__ import annotations

import pytest

from tests.conftest import login_as
from tests.designer.fixtures import add, draft, draft_id_of, options, publish_report, save, start


def in_english(client):
    """Messages are asserted in the source language: the Russian catalogue is translated
    apart from these tests."""
    with client.session_transaction() as session:
        session["lang"] = "en"


@pytest.fixture
def designer(client, people):
    """The client, logged in as the coordinator of tree["region"], reading English."""
    login_as(client, people["region"])
    in_english(client)
    return client


@pytest.fixture
def survey(designer, tree):
    """A survey built in the editor, key by key (the id of its draft):

    section 0 "Раздел 1": grade (single choice 9/11), took_part (multiple choice)
    section 1 "Раздел 2": hours (grid), satisfaction (rating, shown after trials)
    rule-0: an eleventh-grader ticks the job fair; indicator-0: share of trials, %."""
    draft_id = start(designer, tree["region"], "career-poll")
    assert add(designer, draft_id, "section") == "section-1"
    assert add(designer, draft_id, "field", section="0", type="single_choice") == "field-0-0"
    assert add(designer, draft_id, "field", section="0", type="multiple_choice") == "field-0-1"
    assert add(designer, draft_id, "field", section="1", type="grid") == "field-1-0"
    assert add(designer, draft_id, "field", section="1", type="rating") == "field-1-1"
    saved = [
        (
            "field-0-0",
            {
                "id": "grade",
                "type": "single_choice",
                "section": "0",
                "label_ru": "В каком вы классе?",
                "required": "y",
                **options(("1", "9", "9 класс"), ("", "11", "11 класс")),
            },
        ),
        (
            "field-0-1",
            {
                "id": "took_part",
                "type": "multiple_choice",
                "section": "0",
                "label_ru": "В чём вы участвовали?",
                **options(("1", "trials", "Профессиональные пробы"), ("", "fair", "Ярмарка")),
            },
        ),
        (
            "field-1-0",
            {
                "id": "hours",
                "type": "grid",
                "section": "1",
                "label_ru": "Часы занятий",
                "rows-0-id": "lessons",
                "rows-0-label_ru": "Уроки",
                "columns-0-id": "spent",
                "columns-0-type": "integer",
                "columns-0-label_ru": "Часов",
            },
        ),
        (
            "field-1-1",
            {
                "id": "satisfaction",
                "type": "rating",
                "section": "1",
                "label_ru": "Насколько полезны были пробы?",
                "scale_min": "1",
                "scale_max": "5",
                "visible_if": 'selected(took_part, "trials")',
            },
        ),
    ]
    for key, data in saved:
        response = save(designer, draft_id, key, data)
        assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
        assert response.headers["Location"].endswith(f"element={key}")
    assert add(designer, draft_id, "rules") == "rule-0"
    response = save(
        designer,
        draft_id,
        "rule-0",
        {
            "id": "seniors_visit_fair",
            "check": 'grade != "11" or selected(took_part, "fair")',
            "message_ru": "Одиннадцатиклассник отмечает ярмарку",
            "fields": "took_part",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert add(designer, draft_id, "indicators") == "indicator-0"
    response = save(
        designer,
        draft_id,
        "indicator-0",
        {
            "id": "trials_share",
            "code": "1.2",
            "title_ru": "Доля участников профессиональных проб",
            "unit": "%",
            "formula": 'share(selected(took_part, "trials")) * 100',
            "levels": "school",
            "targets": "2026: 60",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return draft_id


@pytest.fixture
def next_version(designer, tree):
    """The region's published unit report and a new-version draft of it."""
    version = publish_report(tree["region"])
    response = designer.post(f"/designer/versions/{version.id}/revise", data={})
    draft_id = draft_id_of(response)
    started = draft(draft_id)
    assert (started.new_version, started.base_version_id, started.unit_id) == (
        True,
        version.id,
        tree["region"].id,
    )
    return draft_id
