"""The kinds of job and the context a job function works in. A job function is the same
whichever dispatcher runs it: it gets its parameters and a context to report progress
to and to write its file in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
KINDS: dict[str, JobFunction] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    def register(function: JobFunction) -> JobFunction:
        KINDS[name] = function
        return function

    return register
