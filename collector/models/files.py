"""Files attached to answers of file questions (collector.schema.kinds.files): the bytes
live in a folder outside the database (FILE_FOLDER), the database keeps what they are and
whose report they belong to. A file is never deleted with an answer that replaces it: the
report's history keeps its descriptor, and it stays downloadable by those who may read
the report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base, UTCDateTime, utcnow


class StoredFile(Base):
    __tablename__ = "stored_file"

    # Random: it is in the download's address.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The report it belongs to: who may read that unit's report may download it.
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    form_id: Mapped[str] = mapped_column(String(64))
    field_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))  # pdf, png, jpeg: told by its content
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
