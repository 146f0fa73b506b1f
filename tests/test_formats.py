"""Days and moments written one way, in the interface language (collector/formats.py):
«15.05.2027 18:00» in Russian, «15 May 2027, 18:00» in English, a 24-hour clock in both,
on every page that shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from collector.formats import count_text, date_text, local_time, moment_text
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as

# 18:00 in Moscow (UTC+3).
MOMENT = datetime(2027, 5, 15, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("ru", "15.05.2027", "15.05.2027 18:00"),
        ("en", "15 May 2027", "15 May 2027, 18:00"),
    ],
)
def test_one_format_per_language_with_a_24_hour_clock(app, language, day, moment):
    with app.test_request_context(), force_locale(language):
        assert date_text(date(2027, 5, 15)) == day
        assert date_text(MOMENT) == day
        assert moment_text(MOMENT, "Europe/Moscow") == moment
        assert local_time(MOMENT, "Europe/Moscow") == f"{moment} (Europe/Moscow)"
        # Without a zone: the app's default (Europe/Moscow); a naive moment is UTC.
        assert moment_text(MOMENT.replace(tzinfo=None)) == moment
        assert "PM" not in moment_text(MOMENT) and "AM" not in moment_text(MOMENT)


def test_the_region_sees_its_own_wall_clock(app):
    with app.test_request_context(), force_locale("ru"):
        assert moment_text(MOMENT, "Asia/Omsk") == "15.05.2027 21:00"
        assert date_text(None) == moment_text(None) == local_time(None, "Asia/Omsk") == "—"


def test_an_english_page_writes_days_the_english_way(client, tree, people):
    campaign = new_campaign(tree, people, deadline=datetime(2027, 5, 15, 18, 0))
    login_as(client, people["region"])
    client.get("/language/en")
    html = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "15 May 2027, 18:00 (Europe/Moscow)" in html
    assert "PM" not in html and "5/15/27" not in html
    client.get("/language/ru")
    html = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "15.05.2027 18:00 (Europe/Moscow)" in html


@pytest.mark.parametrize(("language", "written"), [("ru", "10\u00a0614"), ("en", "10,614")])
def test_counts_are_grouped_in_the_interface_language(app, language, written):
    with app.test_request_context(), force_locale(language):
        assert count_text(10614) == written
        assert count_text(67) == "67"
        assert count_text(None) == "—"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_numbers_are_written_as_flask_babel_writes_them(app, language):
    """The patterns are parsed once (collector.formats._decimal); what is written is what
    flask_babel.format_decimal writes with the same pattern."""
    from flask_babel import format_decimal

    from collector.formats import indicator_value
    from collector.indicators.results import at_precision

    cases = [  # value, unit, precision, the places it is written with, the pattern
        (12.345, "%", None, 1, "#,##0.0"),
        (1234.5, None, None, 2, "#,##0.##"),
        (1234567.0, None, None, 2, "#,##0"),
        (-0.125, "%", 2, 2, "#,##0.00"),
        (99.95, "%", 0, 0, "#,##0"),
        # A change of -0.04 shown at one place is -0.0, which equals 0.0: each is written
        # as Babel writes it, whichever came first (numbers are written once each).
        (-0.04, "%", 1, 1, "#,##0.0"),
        (0.0, "%", 1, 1, "#,##0.0"),
        (0.04, "%", 1, 1, "#,##0.0"),
        (-0.04, "%", 1, 1, "#,##0.0"),
    ]
    with app.test_request_context(), force_locale(language):
        for value, unit, decimals, places, pattern in cases:
            expected = format_decimal(at_precision(value, places), format=pattern)
            assert indicator_value(value, unit, decimals) == expected


def test_outside_a_request_numbers_are_written_in_russian(app):
    with app.app_context():
        assert count_text(10614) == "10\u00a0614"
