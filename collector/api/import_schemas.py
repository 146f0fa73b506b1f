"""The schemas of the API's upload routes (collector.api.endpoints.imports): a file sent
as multipart/form-data, checked as the pages check it before any job starts."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from marshmallow import fields
from werkzeug.datastructures import FileStorage

from collector.api.schemas import _one_of
from collector.units.jobs import IMPORTERS
from collector.units.tabular import TABLE_EXTENSIONS

_CHOOSE_A_FILE = {"required": _l("Choose a file."), "null": _l("Choose a file.")}


class TableFile(Upload):
    """A CSV or XLSX file with a name (the extension says how it is read)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage) or not value.filename:
            raise ma.ValidationError(_("Choose a file."))
        extension = value.filename.rsplit(".", 1)[-1].lower() if "." in value.filename else ""
        if extension not in TABLE_EXTENSIONS:
            raise ma.ValidationError(_("Only CSV and XLSX files are accepted."))
        return value


class TableUploadSchema(ma.Schema):
    file = TableFile(
        required=True,
        error_messages=_CHOOSE_A_FILE,
        metadata={"description": "The table: a CSV or XLSX file, its first row the headers"},
    )


class UnitsUploadSchema(ma.Schema):
    kind = _one_of(
        list(IMPORTERS),
        required=True,
        metadata={"description": "What the file holds: units, or their reference figures"},
    )
    file = TableFile(
        required=True,
        error_messages=_CHOOSE_A_FILE,
        metadata={"description": "A CSV or XLSX file (the import page's templates)"},
    )
    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "Only check the file; the job's outcome says what it would do"},
    )
