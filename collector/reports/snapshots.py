"""Computed indicators kept on disk, so that a large campaign's report is computed once
per change of its data (by a job), not on every page view. A snapshot is keyed by the
campaign, which reports count and the user's scopes, and is valid for one data stamp."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Container, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from flask import current_app

T = TypeVar("T")
logger = logging.getLogger(__name__)
# The shape of the kept views (question tables, rows by group): changed with theirs, so
# that a new version does not read an older one's.
VIEW_FORMAT = 2  # 2: the tables' statuses as codes (SNAPSHOT_FORMAT 5)


def _path(campaign_id: int, basis: str, scopes: list[str]) -> Path:
    key = hashlib.sha256(f"{campaign_id}:{basis}:{sorted(scopes)}".encode()).hexdigest()[:32]
    return Path(current_app.config["JOB_FOLDER"]) / "snapshots" / f"{campaign_id}-{key}.pickle"


def _stamp_of(file: BinaryIO) -> str | None:
    try:
        # Our own files, written by this app below its instance folder.
        stamp = pickle.load(file)  # noqa: S301
    except (EOFError, pickle.UnpicklingError, ValueError, AttributeError):
        return None
    return stamp if isinstance(stamp, str) else None


class _ReadLately:
    """What was read of the kept files lately, by file and data stamp. The content a
    file holds for one data stamp never changes (newer data is a newer stamp), so the
    next view of the same data takes it from here instead of unpickling it again.
    Bounded by the bytes the files take; the least lately used goes first. What is
    handed out is shared: its readers do not change it (the page cuts new lists)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: OrderedDict[tuple[str, str, str], tuple[Any, int]] = OrderedDict()
        self._size = 0

    def get(self, key: tuple[str, str, str]) -> Any | None:
        with self._lock:
            found = self._found.get(key)
            if found is None:
                return None
            self._found.move_to_end(key)
            return found[0]

    def put(self, key: tuple[str, str, str], value: Any, size: int) -> None:
        budget = int(current_app.config.get("REPORT_MEMORY_MB", 0) * 1024 * 1024)
        if size > budget:
            return
        with self._lock:
            # The same file's content of an older stamp is of no use now.
            for older in [k for k in self._found if k[0] == key[0] and k[1] != key[1]]:
                self._size -= self._found.pop(older)[1]
            if key in self._found:
                self._size -= self._found.pop(key)[1]
            self._found[key] = (value, size)
            self._size += size
            while self._size > budget:
                _key, (_value, dropped) = self._found.popitem(last=False)
                self._size -= dropped

    def forget(self, path: Path) -> None:
        """Everything read of the snapshot at `path` and of its views (written anew)."""
        views = str(path.with_name(f"{path.stem}-"))
        with self._lock:
            for key in [k for k in self._found if k[0] == str(path) or k[0].startswith(views)]:
                self._size -= self._found.pop(key)[1]

    def clear(self) -> None:
        with self._lock:
            self._found.clear()
            self._size = 0


read_lately = _ReadLately()


def load(campaign_id: int, basis: str, scopes: list[str], stamp: str) -> Any | None:
    """The snapshot's content when it is of this data stamp (the stamp is read first,
    so a stale snapshot of a million answers is not unpickled to be thrown away)."""
    path = _path(campaign_id, basis, scopes)
    key = (str(path), stamp, "")
    found = read_lately.get(key)
    if found is not None:
        return found
    try:
        with path.open("rb") as file:
            if _stamp_of(file) != stamp:
                return None
            content = pickle.load(file)  # noqa: S301
            size = file.tell()
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError):
        return None
    read_lately.put(key, content, size)
    return content


def load_latest(campaign_id: int, basis: str, scopes: list[str]) -> tuple[str, Any, float] | None:
    """The snapshot kept, whatever data stamp it is of: its stamp, its content and when
    it was written (seconds since the epoch). A page of a large campaign shows it while
    a job computes the figures of the data as it is now."""
    path = _path(campaign_id, basis, scopes)
    try:
        with path.open("rb") as file:
            written = os.fstat(file.fileno()).st_mtime
            stamp = _stamp_of(file)
            if stamp is None:
                return None
            return stamp, pickle.load(file), written  # noqa: S301
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError):
        return None


def _write(path: Path, stamp: str, content: Any) -> None:
    """Write beside the file under a name of this writer's own, then put it in place:
    readers see the old file or the new one, never half, and two writers of the same
    file at once do not write into each other's."""

    def dump(file: BinaryIO) -> None:
        pickle.dump(content, file, protocol=pickle.HIGHEST_PROTOCOL)

    _write_with(path, stamp, dump)


def _write_with(path: Path, stamp: str, dump: Callable[[BinaryIO], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
    try:
        with partial.open("wb") as file:
            pickle.dump(stamp, file, protocol=pickle.HIGHEST_PROTOCOL)
            dump(file)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


# The end of a columns file: where its table of contents starts (8 bytes, little-endian).
_CONTENTS_AT = struct.Struct("<Q")


def _columns_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.columns")


def _write_columns(path: Path, stamp: str, columns: Mapping[str, Any]) -> None:
    """Each column pickled on its own, then a table of where each starts: a reader
    unpickles only the columns it asks for (an export counts answers one question at a
    time, and a million answers' whole frame is hundreds of MB)."""

    def dump(file: BinaryIO) -> None:
        contents = {}
        for name, values in columns.items():
            contents[name] = file.tell()
            pickle.dump(values, file, protocol=pickle.HIGHEST_PROTOCOL)
        at = file.tell()
        pickle.dump(contents, file, protocol=pickle.HIGHEST_PROTOCOL)
        file.write(_CONTENTS_AT.pack(at))

    _write_with(path, stamp, dump)


def load_columns(
    campaign_id: int,
    basis: str,
    scopes: list[str],
    stamp: str,
    names: Iterable[str] | None,
    leave_out: Container[str] = (),
) -> dict[str, Any] | None:
    """The named columns kept with the snapshot of this data stamp (those it has; None:
    all but those to `leave_out`, in their order); None when none of this stamp is
    kept."""
    try:
        with _columns_path(_path(campaign_id, basis, scopes)).open("rb") as file:
            if _stamp_of(file) != stamp:
                return None
            file.seek(-_CONTENTS_AT.size, os.SEEK_END)
            (at,) = _CONTENTS_AT.unpack(file.read(_CONTENTS_AT.size))
            file.seek(at)
            contents = pickle.load(file)  # noqa: S301
            if not isinstance(contents, dict):
                return None
            found = {}
            for name in (n for n in contents if n not in leave_out) if names is None else names:
                if name in contents:
                    file.seek(contents[name])
                    found[name] = pickle.load(file)  # noqa: S301
            return found
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError, struct.error):
        return None


def save(
    campaign_id: int,
    basis: str,
    scopes: list[str],
    stamp: str,
    content: Any,
    columns: Mapping[str, Any] | None = None,
) -> None:
    """Keep `content` for this data stamp, and `columns` (read one by one with
    `load_columns`) beside it; the columns are in place before the content names them."""
    path = _path(campaign_id, basis, scopes)
    if columns is not None:
        _write_columns(_columns_path(path), stamp, columns)
    _write(path, stamp, content)
    # The views kept of the previous figures are of no use now, nor what this process
    # read of the file before (of the same stamp too: one of an older shape, rejected).
    for derived in path.parent.glob(f"{path.stem}-*.pickle"):
        derived.unlink(missing_ok=True)
    read_lately.forget(path)


def exists(campaign_id: int, basis: str, scopes: list[str], stamp: str) -> bool:
    """Whether a snapshot of this data stamp is kept; reads only its stamp."""
    try:
        with _path(campaign_id, basis, scopes).open("rb") as file:
            return _stamp_of(file) == stamp
    except OSError:
        return False


def remembered(
    campaign_id: int,
    basis: str,
    scopes: list[str],
    stamp: str,
    part: Hashable,
    compute: Callable[[], T],
) -> T:
    """A view derived from a snapshot (a page's rows by respondent group, its question
    tables for one unit), kept beside it for the same data stamp: computed at the first
    view after a change, read at the next ones."""
    base = _path(campaign_id, basis, scopes)
    named = repr((VIEW_FORMAT, part))
    key = hashlib.sha256(named.encode()).hexdigest()[:24]
    path = base.with_name(f"{base.stem}-{key}.pickle")
    lately = (str(path), stamp, named)
    if (kept := read_lately.get(lately)) is not None:
        return kept[0]  # type: ignore[no-any-return]
    try:
        with path.open("rb") as file:
            if _stamp_of(file) == stamp:
                found = pickle.load(file)  # noqa: S301
                if isinstance(found, tuple) and len(found) == 2 and found[0] == named:
                    read_lately.put(lately, (found[1],), file.tell())
                    return found[1]  # type: ignore[no-any-return]
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError, TypeError):
        pass
    value = compute()
    try:
        _write(path, stamp, (named, value))
        read_lately.put(lately, (value,), path.stat().st_size)
    except (OSError, pickle.PicklingError, AttributeError, TypeError):
        # Keeping it only saves the next view some work; this one has what it needs.
        logger.exception("report view not kept: %s", path)
    return value
