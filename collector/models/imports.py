"""Tables uploaded for a campaign from another system (ЕГЭ results, the list of schools
with low results): one batch per accepted file, its rows matched to units."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collector.models.base import Base, UTCDateTime, utcnow
from collector.models.users import User


class ImportBatch(Base):
    """One accepted file of a form's imported table in a campaign. A new file replaces
    the previous one: only the batch marked current feeds the indicators; the others stay
    for the record."""

    __tablename__ = "import_batch"
    __table_args__ = (Index("ix_import_batch_campaign_table", "campaign_id", "import_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    import_id: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())
    uploaded_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploader: Mapped[User | None] = relationship()


class ImportedRow(Base):
    __tablename__ = "imported_row"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    # The row's number in the file (the header is row 1), for whoever checks it later.
    row_number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
