"""Reference figures per unit and academic year (pupils by grade, teachers by category …)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base


class ReferenceFigure(Base):
    __tablename__ = "reference_figure"
    __table_args__ = (
        UniqueConstraint("unit_id", "academic_year", "figure", "grade"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("grade >= 0 AND grade <= 12", name="grade_range"),
        Index("ix_reference_figure_year_figure", "academic_year", "figure"),
        # A report's data stamp counts the year's figures and reads the last id added.
        Index("ix_reference_figure_year_id", "academic_year", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"))
    # The year the academic year starts in: 2025 means 2025/2026.
    academic_year: Mapped[int] = mapped_column(Integer)
    figure: Mapped[str] = mapped_column(String(64))
    # 0 for figures not counted by grade.
    grade: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[int] = mapped_column(Integer)
