"""The kinds of job and the context a job function works in. A job function is the same
whichever dispatcher runs it: it gets its parameters and a context to report progress
to and to write its file in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


class JobFailed(Exception):
    """A failure the user can act on; the message is shown as it is."""


@dataclass(frozen=True)
class JobResult:
    path: Path | None = None  # a file in the job's folder, offered for download
    name: str = ""  # the name the browser saves it under
    mimetype: str = "application/octet-stream"
    # What the job's page shows (an import's report); JSON.
    outcome: dict[str, Any] | None = None


class JobContext:
    """What a running job sees: its folder, and where its progress goes."""

    def __init__(
        self,
        job_id: str,
        folder: Path,
        report: Callable[[str, int, int | None], None],
        log: Callable[[str], None],
    ) -> None:
        self.job_id = job_id
        self.folder = folder
        self._report = report
        self._log = log

    def progress(self, stage: str, done: int, total: int | None = None) -> None:
        self._report(stage, done, total)

    def log(self, line: str) -> None:
        self._log(line)


JobFunction = Callable[[JobContext, dict[str, Any]], JobResult]
# Where an app keeps its job kinds (app.extensions): the app factory names each one.
KINDS_EXTENSION = "collector_job_kinds"


def register_job_kinds(app: Flask, kinds: Mapping[str, JobFunction]) -> None:
    """Make these kinds runnable by the app's dispatchers (a kind's name is stored with
    each job, so a name once used keeps its meaning)."""
    app.extensions.setdefault(KINDS_EXTENSION, {}).update(kinds)


def job_kinds(app: Flask) -> Mapping[str, JobFunction]:
    kinds: Mapping[str, JobFunction] = app.extensions.get(KINDS_EXTENSION, {})
    return kinds
