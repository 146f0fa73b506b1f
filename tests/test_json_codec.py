"""Stored JSON is read by orjson, and what orjson refuses but Python's json reads (NaN,
kept by an older version) is still read; a number beyond every bound stays beyond it."""

from __future__ import annotations

import json
import math
from datetime import datetime

from sqlalchemy import text

from collector import json_codec
from collector.extensions import db
from collector.models import FormResponse
from collector.schema.values import stored_number
from tests.campaigns.factories import new_campaign


def test_the_engine_reads_json_with_the_codec(app):
    assert db.engine.dialect._json_deserializer is json_codec.loads


def test_what_orjson_refuses_is_read_as_python_reads_it():
    found = json_codec.loads('{"total": 12, "share": NaN, "name": "Школа № 5"}'.encode())
    assert found["total"] == 12 and math.isnan(found["share"])
    assert found["name"] == "Школа № 5"
    assert json_codec.loads(memoryview(b'{"a": 1}')) == {"a": 1}
    assert json_codec.loads('{"a": [1.5, true, null]}') == json.loads('{"a": [1.5, true, null]}')


def test_stored_values_no_door_accepts_still_load_and_stay_refused(app, tree, people):

    campaign = new_campaign(tree, people, deadline=datetime(2026, 5, 31, 23, 59), opened=True)
    row = db.session.query(FormResponse).filter_by(campaign_id=campaign.id).first()
    # PostgreSQL's json refuses NaN at the door; SQLite kept what Python's json wrote.
    sqlite = db.engine.dialect.name == "sqlite"
    stored = '{"total": ' + "9" * 30 + (', "part": NaN}' if sqlite else "}")
    db.session.execute(
        text("UPDATE form_response SET answers = :a WHERE id = :i"), {"a": stored, "i": row.id}
    )
    db.session.commit()
    db.session.expire_all()
    answers = db.session.get(FormResponse, row.id).answers
    assert answers["total"] > 2**53 and stored_number(answers["total"]) == (None, True)
    if sqlite:
        assert math.isnan(answers["part"]) and stored_number(answers["part"]) == (None, True)


def test_half_of_a_utf16_pair_is_read_as_a_replacement_character():
    """A stored "\\ud800" (written around the doors) is read as U+FFFD, so every page and
    file can encode it; a whole pair written as two escapes is its one character."""
    found = json_codec.loads(r'{"a": "x\ud800y", "b": ["\ud83d\ude00", NaN], "\udc00k": 1}')
    assert found["a"] == "x\ufffdy" and found["b"][0] == "😀" and math.isnan(found["b"][1])
    assert found["\ufffdk"] == 1
    "".join([found["a"], *found]).encode("utf-8")  # nothing left that cannot be written


def test_a_row_nested_past_what_python_reads_is_no_answer():
    assert json_codec.loads("[" * 100_000 + "]" * 100_000) is None
    assert json_codec.loads('{"a": ' * 3000 + "1" + "}" * 3000) is None


def test_the_doors_refuse_half_of_a_utf16_pair():
    from collector.schema.values import text_problem

    assert text_problem("ответ \ud800") is not None
    assert text_problem("ответ 😀") is None
