"""Issue 23: an import's report speaks the language the upload was made in — the table
reader's messages (English ids in a pure module) included, its limits in that language's
digits — though the import runs in a worker that knows no session."""

from __future__ import annotations

import io

import pytest

from tests.campaigns.test_imports import HEADER, campaign  # noqa: F401 (a fixture)
from tests.conftest import login_as
from tests.test_import_entry_points import imported

DUPLICATE = "code;name;type;Code\nS-N1;Школа;school;x\n"


def upload_units(client, text: str) -> str:
    response = client.post(
        "/units/import",
        data={"kind": "units", "file": (io.BytesIO(text.encode()), "units.csv")},
        content_type="multipart/form-data",
    )
    return imported(client, response)


# A job runs in a worker thread of its own, on its own connection: it must see the committed data.
@pytest.mark.committed
def test_a_duplicate_column_is_named_in_the_pages_language(client, tree, people):
    login_as(client, people["region"])
    client.get("/language/en")
    body = upload_units(client, DUPLICATE)
    assert 'data-testid="import-errors"' in body
    assert "The column «Code» appears twice in the header." in body
    assert "встречается" not in body
    client.get("/language/ru")
    body = upload_units(client, DUPLICATE)
    assert "Столбец «Code» встречается в заголовке дважды." in body
    assert "appears twice" not in body


@pytest.mark.committed
def test_a_limit_is_written_in_the_pages_digits(app, client, tree, people):
    login_as(client, people["region"])
    app.config["TABLE_MAX_ROWS"] = 1_000
    # The header and 1 001 rows: 1 002 lines against a limit of 1 000.
    rows = "code;name;type;parent_code\n" + "S-N1;Школа;school;M-A\n" * 1_001
    client.get("/language/en")
    assert "The file has more than 1,000 rows" in upload_units(client, rows)
    client.get("/language/ru")
    assert "В файле больше 1\u00a0000 строк" in upload_units(client, rows)


@pytest.mark.committed
def test_a_campaign_table_upload_reports_in_the_pages_language(client, people, campaign):  # noqa: F811
    login_as(client, people["region"])
    bad = HEADER.replace("Сдали", "Сдавали") + "S-A1;Физика;10;9\n"
    for language, message in [
        ("en", "The column «Сдавали» appears twice in the header."),
        ("ru", "Столбец «Сдавали» встречается в заголовке дважды."),
    ]:
        client.get(f"/language/{language}")
        response = client.post(
            f"/campaigns/{campaign.id}/imports",
            data={"import_id": "ege", "file": (io.BytesIO(bad.encode("utf-8")), "ege.csv")},
            content_type="multipart/form-data",
        )
        assert message in imported(client, response)
