"""Computed indicators kept on disk, so that a large campaign's report is computed once
per change of its data (by a job), not on every page view. A snapshot is keyed by the
campaign, which reports count and the user's scopes, and is valid for one data stamp."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from flask import current_app

T = TypeVar("T")


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


def load(campaign_id: int, basis: str, scopes: list[str], stamp: str) -> Any | None:
    """The snapshot's content when it is of this data stamp (the stamp is read first,
    so a stale snapshot of a million answers is not unpickled to be thrown away)."""
    try:
        with _path(campaign_id, basis, scopes).open("rb") as file:
            if _stamp_of(file) != stamp:
                return None
            return pickle.load(file)  # noqa: S301
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError):
        return None


def save(campaign_id: int, basis: str, scopes: list[str], stamp: str, content: Any) -> None:
    path = _path(campaign_id, basis, scopes)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump(stamp, file, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(content, file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)  # readers see the old snapshot or the new one, never half


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
    key = hashlib.sha256(repr(part).encode()).hexdigest()[:24]
    path = base.with_name(f"{base.stem}-{key}.pickle")
    try:
        with path.open("rb") as file:
            if _stamp_of(file) == stamp:
                found = pickle.load(file)  # noqa: S301
                if isinstance(found, tuple) and len(found) == 2 and found[0] == repr(part):
                    return found[1]  # type: ignore[no-any-return]
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError):
        pass
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump(stamp, file, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump((repr(part), value), file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
    return value
