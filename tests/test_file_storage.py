"""Object storage for attached files (issue 27): with FILE_STORAGE = "s3" a file question's
upload goes to the bucket (an in-process S3 here, moto's, at an S3-compatible server's
address of its own; no network), downloads stream from it, and `flask backup create`
says the files stay in the bucket; the folder stays the default. Settings that name no
usable store are refused at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from collector import create_app
from collector.extensions import db
from collector.models import FormResponse, StoredFile
from collector.storage import FolderStore, S3Store, StorageSettingError, file_store, s3_client
from tests.conftest import login_as, make_config
from tests.test_file_questions import PDF, report, send  # noqa: F401 (the fixture)

BUCKET = "collector-files"
ENDPOINT = "http://objects.school-network.invalid:9000"


@pytest.fixture
def bucket(app, monkeypatch) -> Iterator[object]:
    """The app set to keep its files in a bucket of an in-process S3."""
    s3_client.cache_clear()  # a client made outside the mock would go to the network
    # An S3-compatible server of its own address (as a MinIO would be), answered by moto.
    monkeypatch.setenv("MOTO_S3_CUSTOM_ENDPOINTS", ENDPOINT)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1", endpoint_url=ENDPOINT)
        client.create_bucket(Bucket=BUCKET)
        for key, value in {
            "FILE_STORAGE": "s3",
            "FILE_S3_BUCKET": BUCKET,
            "FILE_S3_ENDPOINT_URL": ENDPOINT,
            "FILE_S3_PREFIX": "answers/",
            "FILE_S3_REGION": "us-east-1",
            "FILE_S3_ACCESS_KEY_ID": "test-key",
            "FILE_S3_SECRET_ACCESS_KEY": "test-secret",
        }.items():
            monkeypatch.setitem(app.config, key, value)
        yield client
    s3_client.cache_clear()


@pytest.fixture
def report_in_bucket(report, bucket):  # noqa: F811 (the fixture imported above)
    """The school's report with a file question, its files kept in the bucket."""
    campaign, response = report
    return campaign, response, bucket


def test_the_folder_is_the_default_store(app):
    store = file_store(app.config)
    assert isinstance(store, FolderStore) and store.place == app.config["FILE_FOLDER"]


def test_a_file_goes_to_the_bucket_and_downloads_from_it(app, client, people, report_in_bucket):
    campaign, response, bucket = report_in_bucket
    store = file_store(app.config)
    assert isinstance(store, S3Store) and store.client.meta.endpoint_url == ENDPOINT
    login_as(client, people["school"])
    assert send(client, response, 0, PDF).status_code == 302
    db.session.expire_all()
    answer = db.session.get(FormResponse, response.id).answers["plan_file"]
    file_id = answer["file"]
    assert db.session.get(StoredFile, file_id).size == len(PDF)
    # In the bucket under the prefix, not in the folder.
    got = bucket.get_object(Bucket=BUCKET, Key=f"answers/{file_id}")
    assert got["Body"].read() == PDF
    assert not FolderStore(Path(app.config["FILE_FOLDER"])).path(file_id).exists()

    login_as(client, people["municipal"])
    download = client.get(f"/entry/files/{file_id}")
    assert download.status_code == 200
    assert download.is_streamed  # read from the bucket a chunk at a time
    assert download.headers["Content-Length"] == str(len(PDF))
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.data == PDF
    download.close()

    # An object gone from the bucket is a file not found, never a 500.
    bucket.delete_object(Bucket=BUCKET, Key=f"answers/{file_id}")
    assert client.get(f"/entry/files/{file_id}").status_code == 404


def test_the_s3_store_lists_reads_and_removes(bucket):
    store = S3Store(bucket, BUCKET, "answers/")
    assert bucket.meta.endpoint_url == ENDPOINT
    first, second = "a" * 32, "b" * 32
    store.put(first, b"%PDF-1")
    store.put(second, b"%PDF-2" * 100_000)  # 600,000 bytes, read in chunks
    bucket.put_object(Bucket=BUCKET, Key="answers/notes.txt", Body=b"not ours")
    bucket.put_object(Bucket=BUCKET, Key="elsewhere/" + "c" * 32, Body=b"not ours")
    kept = list(store.files())
    assert [k.file_id for k in kept] == [first, second]
    assert all(k.written.tzinfo is UTC for k in kept)
    assert all(abs((datetime.now(UTC) - k.written).total_seconds()) < 60 for k in kept)
    opened = store.open(second)
    assert opened is not None and opened.size == 600_000
    chunks = iter(lambda: opened.stream.read(65_536), b"")
    assert b"".join(chunks) == b"%PDF-2" * 100_000
    opened.stream.close()
    store.remove(first)
    assert store.open(first) is None
    assert [k.file_id for k in store.files()] == [second]


def test_a_backup_says_the_files_stay_in_the_bucket(app, bucket, tmp_path):
    target = tmp_path / "backup" / "collector.bak"
    made = app.test_cli_runner().invoke(args=["backup", "create", "--to", str(target)])
    assert made.exit_code == 0, made.output
    assert (
        "The attached files live in the object storage (s3://collector-files/answers/) and "
        "are not copied" in made.output
    )
    assert not target.with_name("collector.bak.files").exists()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"FILE_STORAGE": "s3"}, "FILE_S3_BUCKET is not set"),
        ({"FILE_STORAGE": "ftp"}, "FILE_STORAGE is 'ftp': it is folder or s3"),
        (
            {"FILE_STORAGE": "s3", "FILE_S3_BUCKET": "b", "FILE_S3_ACCESS_KEY_ID": "k"},
            "set together or not at all",
        ),
        # boto3 would refuse them only when a client is made: at each upload (a 500).
        (
            {"FILE_STORAGE": "s3", "FILE_S3_BUCKET": "b", "FILE_S3_ENDPOINT_URL": "minio:9000"},
            "FILE_S3_ENDPOINT_URL is 'minio:9000': an http:// or https:// address",
        ),
        (
            {"FILE_STORAGE": "s3", "FILE_S3_BUCKET": "b", "FILE_S3_ENDPOINT_URL": "http://"},
            "FILE_S3_ENDPOINT_URL is 'http://'",
        ),
        # The cleaner sweeps what no answer names under the prefix: never a whole bucket.
        ({"FILE_STORAGE": "s3", "FILE_S3_BUCKET": "b", "FILE_S3_PREFIX": ""}, "PREFIX is empty"),
        ({"FILE_STORAGE": "s3", "FILE_S3_BUCKET": "b", "FILE_S3_PREFIX": "/"}, "PREFIX is empty"),
    ],
)
def test_settings_naming_no_store_are_refused_at_start_up(database_url, settings, message):
    with pytest.raises(StorageSettingError, match=message):
        create_app(make_config(database_url, **settings))


def test_a_store_that_fails_is_said_beside_the_file_and_on_download_never_a_500(
    client, people, report_in_bucket
):
    campaign, response, bucket = report_in_bucket
    login_as(client, people["school"])
    assert send(client, response, 0, PDF).status_code == 302
    db.session.expire_all()
    file_id = db.session.get(FormResponse, response.id).answers["plan_file"]["file"]
    # The bucket goes (deleted, its credentials revoked: the storage refuses).
    bucket.delete_object(Bucket=BUCKET, Key=f"answers/{file_id}")
    bucket.delete_bucket(Bucket=BUCKET)

    page = send(client, response, 1, PDF.replace(b"1.4", b"1.7"), "новый.pdf")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Файл сейчас не удалось сохранить: ничего не сохранено." in text
    assert 'value="10"' in text and 'value="4"' in text  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(FormResponse, response.id).answers["plan_file"]["file"] == file_id
    assert [s.id for s in db.session.query(StoredFile)] == [file_id]

    download = client.get(f"/entry/files/{file_id}")
    assert download.status_code == 503 and download.headers["Retry-After"] == "30"
    assert "Файл сейчас не удалось прочитать" in download.get_data(as_text=True)


def test_a_store_takes_only_its_own_ids_never_a_path_out_of_it(tmp_path):
    """An id read from a row (edited by hand, restored from elsewhere) never names a file
    outside the folder, nor another key of the bucket."""
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"not yours")
    store = FolderStore(tmp_path / "files")
    good = "0a" * 16
    store.put(good, PDF)
    for odd in ("../../secret.txt", "../secret.txt", "/etc/passwd", "0A" * 16, "0a" * 15, ""):
        assert store.open(odd) is None, odd
        store.remove(odd)  # nothing happens
        with pytest.raises(ValueError):
            store.put(odd, b"x")
    assert outside.read_bytes() == b"not yours"
    opened = store.open(good)
    assert opened is not None and opened.stream.read() == PDF
    opened.stream.close()
    bucket = S3Store(client=None, bucket="b", prefix="answers/")  # type: ignore[arg-type]  # never asked
    assert bucket.key(good) == "answers/" + good
    with pytest.raises(ValueError):
        bucket.key("../other-app/" + good)
    assert bucket.open("x/../" + good) is None
    bucket.remove("../" + good)  # nothing asked of the client (it has none)
