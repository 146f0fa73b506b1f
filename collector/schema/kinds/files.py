"""A file question: a document or a picture attached to a report (the order approving a
school's career-guidance plan, a photo of its career corner).

The schema says which types it takes (`file_types`: pdf, png, jpeg; all three when not
said) and how large a file may be (`max_size_mb`, at most SERVER_MAX_MB). A file's type
is told by its first bytes, never by its name or the type the browser claims: a small
table of three signatures (each is fixed by its format's specification; a library such
as `filetype` would bring a dependency for the same three rows). The file itself is kept
outside the database by the entry service (collector.entry.files), which turns the
`Upload` this kind reads from the form into the stored answer, a descriptor:

    {"file": "<random id>", "name": "приказ.pdf", "type": "pdf", "size": 48213,
     "sha256": "…"}

An answer that is replaced or removed («Remove the file» beside it) is not deleted: the
report's history (its audit records) keeps the descriptor of every file it ever held, and
the file stays downloadable.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wtforms import FileField
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

from collector.marks import mark_for_translation
from collector.schema.kinds.base import Cell, ExportColumn, FieldKind, Translate
from collector.schema.spec import FieldSpec
from collector.schema.types import ValueKind

# The largest file any schema may ask for (the meta-schema says the same); a request is
# bounded before that by the app's MAX_CONTENT_LENGTH (16 MB).
SERVER_MAX_MB = 10
MEGABYTE = 1024 * 1024
# Type -> (the signature its content starts with, the MIME type it is served as, the
# extensions a file picker offers).
SIGNATURES: dict[str, tuple[bytes, str, str]] = {
    "pdf": (b"%PDF-", "application/pdf", ".pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg", ".jpg,.jpeg"),
}
NAME_LENGTH = 200

MESSAGES = {
    "type": mark_for_translation(
        "This file is not of a type the question takes (%(types)s); its content was "
        "checked, not its name."
    ),
    "size": mark_for_translation("The file is larger than %(limit)s MB."),
    "empty": mark_for_translation("The file is empty."),
}


@dataclass(frozen=True)
class Upload:
    """A file sent with the form, checked: its name (cleaned), its type and content."""

    name: str
    type: str
    content: bytes


def file_types(spec: FieldSpec) -> tuple[str, ...]:
    return spec.file_types or tuple(SIGNATURES)


def size_limit_mb(spec: FieldSpec) -> Decimal:
    """The schema's limit in megabytes, never past the server's."""
    limit = Decimal(SERVER_MAX_MB)
    if spec.max_size_mb is not None and spec.max_size_mb > 0:
        limit = min(limit, spec.max_size_mb)
    return limit


def size_limit(spec: FieldSpec) -> int:
    """In bytes (a megabyte is 1024 × 1024 bytes)."""
    return int(size_limit_mb(spec) * MEGABYTE)


def limit_text(spec: FieldSpec) -> str:
    """The limit as the schema writes it: 5, 0.5."""
    text = f"{size_limit_mb(spec):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def type_of(content: bytes) -> str | None:
    """The type the content is, by its first bytes; None for any other."""
    for name, (signature, _mime, _extensions) in SIGNATURES.items():
        if content.startswith(signature):
            return name
    return None


def clean_name(name: str) -> str:
    """A file name to show and to offer on download: its last part only, without control
    characters or path separators, at most NAME_LENGTH characters (its end kept)."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in last if unicodedata.category(c)[0] != "C").strip() or "file"
    return kept[-NAME_LENGTH:]


def _sent(data: Any) -> bool:
    """Whether the form field holds a file (Werkzeug's FileStorage: a name and a stream)."""
    return bool(getattr(data, "filename", None)) and hasattr(data, "stream")


def _read(data: Any, limit: int) -> bytes:
    stream = data.stream
    stream.seek(0)
    content: bytes = stream.read(limit + 1)
    stream.seek(0)
    return content


class FileCheck:
    """A file of one of the question's types and within its size; no file is no answer."""

    def __init__(self, spec: FieldSpec) -> None:
        self.types = file_types(spec)
        self.limit = size_limit(spec)
        self.shown = limit_text(spec)

    def __call__(self, form: Any, field: Any) -> None:
        if not _sent(field.data):
            return
        content = _read(field.data, self.limit)
        if len(content) > self.limit:
            raise StopValidation(field.gettext(MESSAGES["size"]) % {"limit": self.shown})
        if not content:
            raise StopValidation(field.gettext(MESSAGES["empty"]))
        if type_of(content) not in self.types:
            names = ", ".join(t.upper() for t in self.types)
            raise StopValidation(field.gettext(MESSAGES["type"]) % {"types": names})


class Removed:
    """What a file question's answer becomes when «Remove the file» is ticked and no new
    file chosen: none (the entry service drops the answer; the history keeps the file)."""

    def __repr__(self) -> str:
        return "REMOVED"


REMOVED = Removed()
# The checkbox beside the attached file: the field's name and this.
REMOVE_SUFFIX = "-remove"


class StoredFileField(FileField):
    """A file input that also knows the file the answer holds now (shown beside it), and
    whether the form asks to remove it (a new file chosen replaces it instead)."""

    stored: dict[str, Any] | None = None
    removing = False

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        self.removing = formdata is not None and bool(formdata.get(self.name + REMOVE_SUFFIX))
        if self.removing and not _sent(self.data):
            self.data = REMOVED

    def process_data(self, value: Any) -> None:
        self.stored = shown_descriptor(value)
        self.data = None


def is_descriptor(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("file"), str)
        and isinstance(value.get("name"), str)
    )


def shown_descriptor(value: Any) -> dict[str, Any] | None:
    """A stored descriptor as a page shows it, read defensively: a size that is not a
    whole number of bytes shows as 0 (the page divides it into kilobytes)."""
    if not is_descriptor(value):
        return None
    size = value.get("size")
    whole = isinstance(size, int) and not isinstance(size, bool) and size >= 0
    return {**value, "size": size if whole else 0}


class FileKind(FieldKind):
    name = "file"
    label = mark_for_translation("File")
    # Expressions read the file's name: a condition or a rule can ask whether one is
    # attached (answered), nothing more.
    value_kind = ValueKind.TEXT
    allows = frozenset({"file_types", "max_size_mb"})
    renderer = "file"
    reader = "file"
    unit_reports_only = True
    starter = {"file_types": ["pdf"], "max_size_mb": 5}

    def field(self, spec: FieldSpec, label: str, language: str) -> Any:
        return StoredFileField(label, [FileCheck(spec)])

    def answer(self, spec: FieldSpec, data: Any) -> Any:
        """A checked file sent with the form -> an Upload for the entry service to keep;
        REMOVED when the form asks to remove the file; None when none was sent (the
        answer held before stays)."""
        if data is REMOVED:
            return REMOVED
        if not _sent(data):
            return None
        content = _read(data, size_limit(spec))
        kind = type_of(content)
        if kind is None or len(content) > size_limit(spec):
            return None  # refused by FileCheck before any save
        return Upload(clean_name(str(data.filename)), kind, content)

    def form_data(self, spec: FieldSpec, answer: Any) -> Any:
        return answer if is_descriptor(answer) else None

    def readable(self, value: Any) -> Any:
        return value.get("name") if is_descriptor(value) else None

    def refused(self, value: Any) -> bool:
        return value is not None and not is_descriptor(value)

    def export_columns(self, spec: FieldSpec, label: str, language: str) -> list[ExportColumn]:
        fid = spec.id

        def name(answers: Any) -> Cell:
            value = answers.get(fid)
            return str(value["name"]) if is_descriptor(value) else None

        def link(answers: Any) -> Cell:
            value = answers.get(fid)
            return str(value.get("link") or "") or None if is_descriptor(value) else None

        return [
            ExportColumn(label, "text", name),
            ExportColumn(f"{label} ({LINK_TITLE})", "text", link),
        ]

    def display(self, spec: FieldSpec, value: Any, language: str, translate: Translate) -> str:
        return str(value["name"]) if is_descriptor(value) else "—"


# The workbooks are Russian, as their headers.
LINK_TITLE = "ссылка"


def mime_type(kind: str) -> str:
    return SIGNATURES[kind][1] if kind in SIGNATURES else "application/octet-stream"


def accept(spec: FieldSpec) -> str:
    """What the browser's file picker offers (a convenience: the server checks content)."""
    return ",".join(SIGNATURES[t][2] for t in file_types(spec) if t in SIGNATURES)


def file_rules(spec: FieldSpec) -> dict[str, str]:
    """What the file input says and offers: the picker's filter, the types and the limit
    (in megabytes to read, in bytes for the page's own check, collector/static/entry.js)."""
    return {
        "accept": accept(spec),
        "types": ", ".join(t.upper() for t in file_types(spec)),
        "limit": limit_text(spec),
        "max_bytes": str(size_limit(spec)),
        "too_large": MESSAGES["size"],
    }
