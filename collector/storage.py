"""Where the files attached to answers (file questions) keep their bytes: the one home of
file storage. The database says what a file is (collector.models.StoredFile); a store
keeps its bytes under its random id. Two stores, chosen by FILE_STORAGE:

- "folder" (the default): FILE_FOLDER on this machine, a file at <2 first hex>/<id>;
- "s3": a bucket of an S3-compatible object storage (FILE_S3_BUCKET at
  FILE_S3_ENDPOINT_URL, keys FILE_S3_PREFIX + id), through boto3, with the credentials
  of FILE_S3_ACCESS_KEY_ID / FILE_S3_SECRET_ACCESS_KEY or, when unset, boto3's own
  (AWS_* environment variables, its configuration files, an instance role).

Downloads read a stream, never the whole file at once. Everything else (who may read a
file, what the answer holds) is the entry service's (collector.entry.files)."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

FOLDER = "folder"
S3 = "s3"
KINDS = (FOLDER, S3)
# A stored file's id (collector.entry.files): 32 hexadecimal characters. Anything else
# found in a store (a partly written file, somebody's note) is not ours to list.
FILE_ID = re.compile(r"[0-9a-f]{32}")
CHUNK = 256 * 1024


def _checked(file_id: str) -> str:
    """A stored file's id, or ValueError: an id read from a row (edited by hand, restored
    from elsewhere) never becomes a path out of the folder or another key of the bucket."""
    if not FILE_ID.fullmatch(file_id):
        raise ValueError(f"not a stored file's id: {file_id[:40]!r}")
    return file_id


class StorageSettingError(RuntimeError):
    """The settings name no usable store (said at start-up, not at the first upload)."""


class StorageUnavailable(RuntimeError):
    """The store did not answer or refused (a disk full, the object storage down or its
    credentials refused): said to the user as "try again", never a 500."""


@dataclass(frozen=True)
class Opened:
    """A stored file being read: its bytes as a stream, and how many there are."""

    stream: BinaryIO
    size: int


@dataclass(frozen=True)
class Kept:
    """A file a store holds: its id and when it was written (UTC)."""

    file_id: str
    written: datetime


class FileStore(Protocol):
    # Where the files are, for people: a folder's path, s3://bucket/prefix.
    place: str

    def put(self, file_id: str, content: bytes) -> None:
        """Keep the bytes under the id, whole or not at all."""

    def open(self, file_id: str) -> Opened | None:
        """The file as a stream; None when the store does not have it."""

    def remove(self, file_id: str) -> None:
        """Forget the file (nothing happens when it is not there)."""

    def files(self) -> Iterator[Kept]:
        """Every file the store holds."""


class FolderStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.place = str(folder)

    def path(self, file_id: str) -> Path:
        return self.folder / file_id[:2] / _checked(file_id)

    def put(self, file_id: str, content: bytes) -> None:
        path = self.path(file_id)
        partial = path.with_suffix(".part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(content)
            os.replace(partial, path)  # whole or not at all
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise StorageUnavailable(f"{self.place}: {error}") from error

    def open(self, file_id: str) -> Opened | None:
        if not FILE_ID.fullmatch(file_id):
            return None
        try:
            stream = self.path(file_id).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except OSError as error:
            raise StorageUnavailable(f"{self.place}: {error}") from error
        return Opened(stream, os.fstat(stream.fileno()).st_size)

    def remove(self, file_id: str) -> None:
        if not FILE_ID.fullmatch(file_id):
            return  # another name is nothing this store wrote
        try:
            self.path(file_id).unlink(missing_ok=True)
        except OSError as error:
            raise StorageUnavailable(f"{self.place}: {error}") from error

    def files(self) -> Iterator[Kept]:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("??/*")):
            if FILE_ID.fullmatch(path.name) and not path.is_symlink() and path.is_file():
                written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                yield Kept(path.name, written)


class S3Client(Protocol):
    """The few calls of boto3's S3 client this store makes."""

    def put_object(self, **arguments: Any) -> Any: ...
    def get_object(self, **arguments: Any) -> Any: ...
    def delete_object(self, **arguments: Any) -> Any: ...
    def get_paginator(self, operation: str) -> Any: ...


class S3Store:
    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.place = f"s3://{bucket}/{prefix}"

    def key(self, file_id: str) -> str:
        return self.prefix + _checked(file_id)

    def put(self, file_id: str, content: bytes) -> None:
        # One PUT: the object appears whole or not at all.
        with self._answering():
            self.client.put_object(Bucket=self.bucket, Key=self.key(file_id), Body=content)

    def open(self, file_id: str) -> Opened | None:
        from botocore.exceptions import ClientError

        if not FILE_ID.fullmatch(file_id):
            return None
        with self._answering():
            try:
                found = self.client.get_object(Bucket=self.bucket, Key=self.key(file_id))
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None
                raise
        stream = io.BufferedReader(_S3Body(found["Body"]), CHUNK)
        return Opened(stream, int(found["ContentLength"]))

    def remove(self, file_id: str) -> None:
        if not FILE_ID.fullmatch(file_id):
            return  # another key is nothing this store wrote
        with self._answering():
            self.client.delete_object(Bucket=self.bucket, Key=self.key(file_id))

    @contextmanager
    def _answering(self) -> Iterator[None]:
        """boto3's failures (no connection, a refusal) as the store's own."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(f"{self.place}: {error}") from error

    def files(self) -> Iterator[Kept]:
        pages = self.client.get_paginator("list_objects_v2")
        with self._answering():
            for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", ()):
                    file_id = str(item["Key"])[len(self.prefix) :]
                    if FILE_ID.fullmatch(file_id):
                        yield Kept(file_id, item["LastModified"].astimezone(UTC))


class _S3Body(io.RawIOBase):
    """boto3's streaming body as a raw stream, read a chunk at a time."""

    def __init__(self, body: Any) -> None:
        super().__init__()
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data: bytes = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    prefix: str
    endpoint_url: str | None
    region: str | None
    access_key_id: str | None
    secret_access_key: str | None


def s3_settings(config: Mapping[str, Any]) -> S3Settings:
    bucket = str(config.get("FILE_S3_BUCKET") or "").strip()
    if not bucket:
        raise StorageSettingError(
            "FILE_STORAGE is s3 but FILE_S3_BUCKET is not set (COLLECTOR_FILE_S3_BUCKET)"
        )
    key_id, secret = config.get("FILE_S3_ACCESS_KEY_ID"), config.get("FILE_S3_SECRET_ACCESS_KEY")
    if bool(key_id) != bool(secret):
        raise StorageSettingError(
            "FILE_S3_ACCESS_KEY_ID and FILE_S3_SECRET_ACCESS_KEY are set together or not at all"
        )
    endpoint = str(config.get("FILE_S3_ENDPOINT_URL") or "").strip() or None
    parts = urlsplit(endpoint or "")
    if endpoint is not None and (parts.scheme not in ("http", "https") or not parts.hostname):
        # boto3 refuses it only when a client is made: at every upload and download.
        raise StorageSettingError(
            f"FILE_S3_ENDPOINT_URL is {endpoint!r}: an http:// or https:// address "
            "(COLLECTOR_FILE_S3_ENDPOINT_URL)"
        )
    prefix = str(config.get("FILE_S3_PREFIX") or "")
    if not prefix.strip("/"):
        # `flask files clean` removes what no answer names under the prefix: in a bucket
        # shared with anything else, the whole bucket would be its to sweep.
        raise StorageSettingError(
            "FILE_S3_PREFIX is empty: give the files a key prefix of their own, such as "
            "'collector-files/' (COLLECTOR_FILE_S3_PREFIX)"
        )
    return S3Settings(
        bucket=bucket,
        prefix=prefix,
        endpoint_url=endpoint,
        region=config.get("FILE_S3_REGION") or None,
        access_key_id=key_id or None,
        secret_access_key=secret or None,
    )


@lru_cache(maxsize=4)
def s3_client(settings: S3Settings) -> S3Client:
    """One client per settings, kept (boto3's clients are safe to share between threads
    and slow to make)."""
    import boto3
    from botocore.config import Config

    client: S3Client = boto3.client(
        "s3",
        endpoint_url=settings.endpoint_url,
        region_name=settings.region,
        aws_access_key_id=settings.access_key_id,
        aws_secret_access_key=settings.secret_access_key,
        # Path-style addresses: what S3-compatible servers (MinIO, Ceph, …) all take.
        config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}),
    )
    return client


def storage_kind(config: Mapping[str, Any]) -> str:
    kind = str(config.get("FILE_STORAGE") or FOLDER).strip().lower()
    if kind not in KINDS:
        raise StorageSettingError(
            f"FILE_STORAGE is {kind!r}: it is {' or '.join(KINDS)} (COLLECTOR_FILE_STORAGE)"
        )
    return kind


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse settings that name no usable store (create_app calls it)."""
    if storage_kind(config) == S3:
        s3_settings(config)


def file_store(config: Mapping[str, Any]) -> FileStore:
    """The store the settings choose."""
    if storage_kind(config) == S3:
        settings = s3_settings(config)
        return S3Store(s3_client(settings), settings.bucket, settings.prefix)
    return FolderStore(Path(config["FILE_FOLDER"]))
