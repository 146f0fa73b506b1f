"""File questions (issue 27): a school attaches a document to its report; the type is
told by the content, the size bounded by the schema (and the server); a refused file is
said beside its field with everything else typed kept; the file lives in FILE_FOLDER and
downloads only for those who may read the report; a replaced file stays in the report's
history; the workbook lists it by name with a link."""

from __future__ import annotations

import copy
import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from collector.campaigns.lifecycle import LatePolicy
from collector.exporters.workbook import write_workbook
from collector.extensions import db
from collector.models import AuditEvent, FormResponse, Role, StoredFile
from collector.reports.export import build_workbook
from collector.reports.services import Basis
from collector.schema import compile_document
from collector.schema.errors import SchemaError
from collector.schema.kinds import kind_of
from collector.schema.kinds.files import clean_name, type_of
from tests.campaigns.factories import new_campaign
from tests.conftest import login_as
from tests.schema.cases import base

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


def with_file_question(max_size_mb: float = 1, types=("pdf",)) -> dict:
    document = copy.deepcopy(base())
    document["sections"][0]["fields"].append(
        {
            "id": "plan_file",
            "type": "file",
            "label": "Приказ об утверждении плана",
            "file_types": list(types),
            "max_size_mb": max_size_mb,
        }
    )
    return document


@pytest.fixture
def report(tree, people):
    campaign = new_campaign(
        tree,
        people,
        deadline=datetime(2027, 5, 30, 23, 59),
        policy=LatePolicy.FLAG,
        # A tenth of a megabyte: an upload past it stays below the size at which the test
        # client spools a request body to a temporary file of its own.
        document=with_file_question(max_size_mb=0.1),
        opened=True,
    )
    response = db.session.scalars(
        select(FormResponse).filter_by(campaign_id=campaign.id, unit_id=tree["school_a1"].id)
    ).one()
    return campaign, response


def send(
    client,
    response,
    revision: int,
    content: bytes | None,
    name: str = "приказ.pdf",
    extra: dict | None = None,
):
    data: dict = {"total": "10", "part": "4", "revision": str(revision), "action": "save"}
    if content is not None:
        data["plan_file"] = (io.BytesIO(content), name)
    data.update(extra or {})
    return client.post(
        f"/entry/response/{response.id}", data=data, content_type="multipart/form-data"
    )


def test_the_type_is_told_by_the_content():
    assert type_of(PDF) == "pdf" and type_of(PNG) == "png" and type_of(JPEG) == "jpeg"
    assert type_of(b"MZ\x90\x00") is None  # a program named .pdf is no PDF
    assert type_of(b"") is None
    assert clean_name("C:\\Users\\школа\\приказ.pdf") == "приказ.pdf"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("a\x00b\nc.pdf") == "abc.pdf"


def test_a_file_question_belongs_to_a_unit_report_and_within_the_server_limit():
    survey = with_file_question()
    survey["kind"] = "survey"
    with pytest.raises(SchemaError) as refused:
        compile_document(survey)
    assert [(i.path, i.message) for i in refused.value.errors] == [
        ("$.sections[0].fields[7].type", "a file question is answered only in a unit report")
    ]
    with pytest.raises(SchemaError):
        compile_document(with_file_question(max_size_mb=11))  # the server takes 10 MB
    with pytest.raises(SchemaError):
        compile_document(with_file_question(types=("exe",)))


def test_a_school_attaches_a_pdf_and_those_who_read_the_report_download_it(
    app, client, report, tree, people, make_user
):
    campaign, response = report
    login_as(client, people["school"])
    assert send(client, response, 0, PDF).status_code == 302
    db.session.expire_all()
    answer = db.session.get(FormResponse, response.id).answers["plan_file"]
    stored = db.session.get(StoredFile, answer["file"])
    assert (answer["name"], answer["type"], answer["size"]) == ("приказ.pdf", "pdf", len(PDF))
    assert answer["link"] == f"http://127.0.0.1:5000/entry/files/{stored.id}"
    assert (stored.unit_id, stored.field_id, stored.size) == (tree["school_a1"].id, "plan_file", 65)
    # Outside the database, in FILE_FOLDER.
    on_disk = Path(app.config["FILE_FOLDER"]) / stored.id[:2] / stored.id
    assert on_disk.read_bytes() == PDF
    # The page shows it beside the picker.
    page = client.get(f"/entry/response/{response.id}").get_data(as_text=True)
    assert 'data-testid="stored-file"' in page and f"/entry/files/{stored.id}" in page

    url = f"/entry/files/{stored.id}"
    for person in ("school", "municipal", "region"):
        login_as(client, people[person])
        got = client.get(url)
        assert got.status_code == 200, person
        assert got.data == PDF and got.mimetype == "application/pdf"
        assert "attachment" in got.headers["Content-Disposition"]
        got.close()
    neighbour = make_user(Role.SCHOOL_RESPONDENT, tree["school_a2"], username="neighbour")
    for person in (people["other_region"], neighbour):
        other = app.test_client()
        login_as(other, person)
        assert other.get(url).status_code == 404, person.username
    assert client.get("/entry/files/" + "0" * 32).status_code == 404
    assert client.get("/entry/files/" + "x" * 500).status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PNG, "приказ.pdf", "не того типа"),  # a picture named .pdf; the form takes PDF
        # 0.1 MB is 104,857.6 bytes: 104,858 are too many.
        (b"%PDF-" + b"0" * 104_853, "большой.pdf", "больше 0.1 МБ"),
        (b"", "пустой.pdf", "Файл пуст"),
    ],
)
def test_a_refused_file_is_said_beside_the_field_and_the_typed_values_stay(
    client, report, people, content, name, message
):
    campaign, response = report
    login_as(client, people["school"])
    page = send(client, response, 0, content, name)
    db.session.expire_all()
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert message in text and "invalid-feedback" in text
    assert 'value="10"' in text and 'value="4"' in text  # what was typed is kept
    assert db.session.scalars(select(StoredFile)).all() == []
    assert db.session.get(FormResponse, response.id).status == "not_started"


def test_a_replaced_file_stays_in_the_history_and_a_save_without_a_file_keeps_it(
    client, report, people
):
    campaign, response = report
    login_as(client, people["school"])
    send(client, response, 0, PDF, "план-2025.pdf")
    send(client, response, 1, None)  # nothing chosen: the file stays
    db.session.expire_all()
    first = db.session.get(FormResponse, response.id).answers["plan_file"]
    assert first["name"] == "план-2025.pdf"
    # The same file again (an autosave carries it each time) is not kept twice.
    send(client, response, 1, PDF, "план-2025.pdf")
    assert len(db.session.scalars(select(StoredFile)).all()) == 1
    newer = PDF.replace(b"1.4", b"1.7")
    send(client, response, 1, newer, "план-2026.pdf")
    db.session.expire_all()
    second = db.session.get(FormResponse, response.id).answers["plan_file"]
    assert second["name"] == "план-2026.pdf" and second["file"] != first["file"]
    saves = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "response.save", AuditEvent.object_id == response.id)
        .order_by(AuditEvent.id)
    ).all()
    changes = [e.details["changes"].get("plan_file") for e in saves]
    assert [c for c in changes if c] == [[None, first], [first, second]]
    # The old file is still there for whoever reads the history.
    old = client.get(f"/entry/files/{first['file']}")
    assert old.data == PDF
    old.close()


def test_the_workbook_lists_the_file_by_name_with_a_link():
    spec = compile_document(with_file_question()).spec
    field = spec.field("plan_file")
    columns = kind_of("file").export_columns(field, "Приказ", "ru")
    answers = {"plan_file": {"file": "ab" * 16, "name": "приказ.pdf", "link": "https://x/f/1"}}
    assert [(c.title, c.read(answers)) for c in columns] == [
        ("Приказ", "приказ.pdf"),
        ("Приказ (ссылка)", "https://x/f/1"),
    ]
    assert [c.read({}) for c in columns] == [None, None]


def test_the_consolidated_workbook_lists_the_file_by_name_with_its_link(
    app, client, report, tree, people
):
    campaign, response = report
    login_as(client, people["school"])
    send(client, response, 0, PDF)
    submitted = client.post(
        f"/entry/response/{response.id}",
        data={"total": "10", "part": "4", "revision": "1", "action": "submit"},
    )
    assert submitted.status_code == 302
    db.session.expire_all()
    file_id = db.session.get(FormResponse, response.id).answers["plan_file"]["file"]
    with app.test_request_context():
        book = build_workbook(
            db.session, people["region"], campaign, tree["region"], Basis.SUBMITTED
        )
        buffer = io.BytesIO()
        write_workbook(book, buffer)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            if "приказ.pdf" in row:
                found.append((sheet.title, row))
    assert len(found) == 1, found
    _title, row = found[0]
    at = row.index("приказ.pdf")
    assert row[at + 1] == f"http://127.0.0.1:5000/entry/files/{file_id}"
    header = next(
        r
        for r in workbook[found[0][0]].iter_rows(values_only=True)
        if "Приказ об утверждении плана" in r
    )
    assert header[at : at + 2] == (
        "Приказ об утверждении плана",
        "Приказ об утверждении плана (ссылка)",
    )


def test_ticking_remove_the_file_empties_the_answer_and_the_history_keeps_the_file(
    client, report, people
):
    campaign, response = report
    login_as(client, people["school"])
    send(client, response, 0, PDF)
    page = client.get(f"/entry/response/{response.id}").get_data(as_text=True)
    assert 'name="plan_file-remove"' in page and "Удалить файл" in page
    db.session.expire_all()
    attached = db.session.get(FormResponse, response.id).answers["plan_file"]

    removed = send(client, response, 1, None, extra={"plan_file-remove": "y"})
    assert removed.status_code == 302
    db.session.expire_all()
    stored = db.session.get(FormResponse, response.id)
    assert "plan_file" not in stored.answers and stored.answers["total"] == 10
    last = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "response.save", AuditEvent.object_id == response.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert last.details["changes"] == {"plan_file": [attached, None]}
    # The history's file still downloads; the page offers no box for a file it has not.
    kept = client.get(f"/entry/files/{attached['file']}")
    assert kept.data == PDF
    kept.close()
    page = client.get(f"/entry/response/{response.id}").get_data(as_text=True)
    assert 'name="plan_file-remove"' not in page and 'data-testid="stored-file"' not in page


def test_a_new_file_chosen_with_remove_ticked_replaces_the_old_one(client, report, people):
    campaign, response = report
    login_as(client, people["school"])
    send(client, response, 0, PDF, "старый.pdf")
    newer = PDF.replace(b"1.4", b"1.7")
    replaced = send(client, response, 1, newer, "новый.pdf", extra={"plan_file-remove": "y"})
    assert replaced.status_code == 302
    db.session.expire_all()
    assert db.session.get(FormResponse, response.id).answers["plan_file"]["name"] == "новый.pdf"


def test_a_refused_send_keeps_the_remove_box_ticked(client, report, people):
    campaign, response = report
    login_as(client, people["school"])
    send(client, response, 0, PDF)
    page = client.post(
        f"/entry/response/{response.id}",
        data={"total": "много", "part": "4", "revision": "1", "plan_file-remove": "y"},
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "invalid-feedback" in text
    box = text[text.index('name="plan_file-remove"') :]
    assert box[: box.index(">")].endswith("checked")
    db.session.expire_all()
    assert "plan_file" in db.session.get(FormResponse, response.id).answers  # nothing saved


def test_the_review_page_shows_the_file_as_a_link_not_a_disabled_picker(client, report, people):
    campaign, response = report
    login_as(client, people["school"])
    send(client, response, 0, PDF)
    db.session.expire_all()
    file_id = db.session.get(FormResponse, response.id).answers["plan_file"]["file"]
    login_as(client, people["municipal"])
    page = client.get(f"/campaigns/{campaign.id}/responses/{response.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'type="file"' not in text and 'name="plan_file-remove"' not in text
    field = text[text.index('id="field-plan_file"') :]
    field = field[: field.index('id="field-', 10)] if 'id="field-' in field[10:] else field
    assert "Приказ об утверждении плана" in field
    assert f'href="/entry/files/{file_id}">приказ.pdf</a>' in field


def test_a_report_over_the_servers_limit_comes_back_saying_so_with_nothing_saved(
    app, client, report, people, monkeypatch
):
    campaign, response = report
    login_as(client, people["school"])
    # The server reads at most 50,000 bytes (16 MB in production); the file and the form
    # together are more: nothing of it is read.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    sent = send(client, response, 0, b"%PDF-" + b"0" * 60_000, "большой.pdf")
    assert sent.status_code == 303
    assert sent.headers["Location"] == f"/entry/response/{response.id}"
    page = client.get(sent.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="entry-form"' in text
    assert "Файл больше, чем принимает сервер (не более 0.05 МБ" in text
    db.session.expire_all()
    assert db.session.scalars(select(StoredFile)).all() == []
    assert db.session.get(FormResponse, response.id).status == "not_started"


@pytest.mark.parametrize("name", ["revision", "total", "plan_file-remove", "csrf_token"])
def test_a_file_sent_under_another_fields_name_is_not_read(client, report, people, name):
    """Only the section's file questions read files: a file part named as a number or
    the revision (besides its value) was read in place of the value: a 500 for the
    revision, a refused number for «total»."""
    campaign, response = report
    login_as(client, people["school"])
    stray = (io.BytesIO(b"12"), "12.pdf")
    # The form's own value (if any) sent too, after the file.
    value = {"revision": ["0"], "total": ["10"]}.get(name, [])
    sent = send(client, response, 0, PDF, extra={name: [stray, *value]})
    assert sent.status_code == 302, sent.get_data(as_text=True)
    db.session.expire_all()
    answers = db.session.get(FormResponse, response.id).answers
    assert (answers["total"], answers["plan_file"]["name"]) == (10, "приказ.pdf")


@pytest.mark.parametrize("size", [None, "большой", True, -5, 1.5])
def test_a_stored_answer_with_an_odd_size_still_shows_its_file(client, report, people, size):
    """Stored data read defensively: a descriptor whose size is missing or not a whole
    number of bytes (a hand-edited row, an older format) shows its file as 0.0 KB on the
    data-entry page and on the review page, never a 500."""
    campaign, response = report
    descriptor = {"file": "ab" * 16, "name": "приказ.pdf", "type": "pdf"}
    if size is not None:
        descriptor["size"] = size
    response.answers = {**response.answers, "plan_file": descriptor}
    db.session.commit()
    shown = '<a href="/entry/files/' + "ab" * 16 + '">приказ.pdf</a>'
    for person, url in (
        ("school", f"/entry/response/{response.id}"),
        ("municipal", f"/campaigns/{campaign.id}/responses/{response.id}"),
    ):
        login_as(client, people[person])
        page = client.get(url)
        text = page.get_data(as_text=True)
        assert page.status_code == 200, person
        assert shown in text and "(0.0 KB)" in text, person
