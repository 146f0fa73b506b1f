"""Issue 19: ids, page numbers and years in a query string or posted back by a page are
read as what the database holds; anything else is treated as absent, never a 500
(PostgreSQL refuses an INTEGER past 2^31 - 1; "²" is a digit to str.isdigit, not to int)."""

from __future__ import annotations

from datetime import datetime

import pytest

from collector.routing import LARGEST_ID, id_or, id_value
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as

HOSTILE = ["99999999999", str(LARGEST_ID + 1), "²", "٣", "-1", "1e3", " 7", "0x10", "", "1" * 400]


@pytest.mark.parametrize("text", HOSTILE)
def test_what_no_id_column_holds_is_refused(text):
    with pytest.raises(ValueError):
        id_value(text)
    assert id_or(text) == 0
    assert id_or(text, 5) == 5


def test_ids_within_an_integer_column_are_read():
    assert id_value("0") == 0
    assert id_value("42") == 42
    assert id_value(str(LARGEST_ID)) == LARGEST_ID
    assert id_or("007") == 7


@pytest.mark.parametrize("text", ["99999999999", "²", "-3"])
def test_pages_taking_an_id_in_the_query_never_fail(client, tree, people, text):
    campaign = new_campaign(tree, people, deadline=datetime(2026, 5, 30, 23, 59), opened=True)
    login_as(client, people["admin"])
    region = tree["region"].id
    for url in (
        f"/users/?unit={text}&page={text}",
        f"/users/new?unit={text}",
        f"/units/{region}?page={text}",
        f"/units/{region}/figures?year={text}",
        f"/campaigns/{campaign.id}?unit={text}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
