"""The catalogue of reference figures a unit reports per academic year.

Pure data: indicators divide by these figures, the import reads their column names, the
edit form lists them. Graded figures are stored one row per grade, so a range of grades
(Omsk: 6–9, 10–11) is a plain SUM over grade BETWEEN a AND b.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

ALL_GRADES = tuple(range(1, 13))


@dataclass(frozen=True)
class FigureKind:
    key: str
    label_ru: str
    label_en: str
    group: str
    # None: one value per unit and year; otherwise the grades it is counted by.
    grades: tuple[int, ...] | None = None

    def label(self, language: str) -> str:
        return self.label_ru if language == "ru" else self.label_en

    def columns(self) -> list[tuple[str, int]]:
        """The import/export column names with the grade each holds (0 for ungraded)."""
        if self.grades is None:
            return [(self.key, 0)]
        return [(f"{self.key}_{grade}", grade) for grade in self.grades]


_KINDS = (
    FigureKind("pupils", "Обучающиеся", "Pupils", "pupils", ALL_GRADES),
    FigureKind(
        "pupils_ovz", "Обучающиеся с ОВЗ", "Pupils with special needs (ОВЗ)", "pupils", ALL_GRADES
    ),
    FigureKind(
        "pupils_disabled", "Дети-инвалиды", "Pupils with disabilities", "pupils", ALL_GRADES
    ),
    # Omsk order № 50, 7.12: pupils taught by adapted programmes (АООП), by grade.
    FigureKind(
        "pupils_aoop",
        "Обучающиеся по АООП",
        "Pupils taught by adapted programmes (АООП)",
        "pupils",
        ALL_GRADES,
    ),
    FigureKind("graduates", "Выпускники", "Graduates", "pupils", (9, 11)),
    # Omsk order № 50, 2.1: children in preschool education, usually held by the
    # municipality (its kindergartens are not all units of the tree).
    FigureKind(
        "preschool_children",
        "Воспитанники дошкольных образовательных организаций",
        "Children in preschool education",
        "pupils",
    ),
    FigureKind(
        "teachers_total", "Педагогические работники, всего", "Teaching staff, total", "staff"
    ),
    FigureKind("deputy_directors", "Заместители директора", "Deputy directors", "staff"),
    # Tomsk order № 1067, table 2 counts its respondents against these two apart.
    FigureKind(
        "deputy_directors_uvr",
        "Заместители директора по УВР",
        "Deputy directors for teaching work (УВР)",
        "staff",
    ),
    FigureKind(
        "deputy_directors_vr",
        "Заместители директора по ВР",
        "Deputy directors for upbringing work (ВР)",
        "staff",
    ),
    FigureKind("class_teachers", "Классные руководители", "Class teachers", "staff"),
    FigureKind("psychologists", "Педагоги-психологи", "Psychologists", "staff"),
    FigureKind("social_pedagogues", "Социальные педагоги", "Social pedagogues", "staff"),
    FigureKind("teachers_primary", "Учителя начальных классов", "Primary school teachers", "staff"),
    FigureKind("teachers_math", "Учителя математики", "Mathematics teachers", "staff"),
    FigureKind("teachers_physics", "Учителя физики", "Physics teachers", "staff"),
    FigureKind("teachers_informatics", "Учителя информатики", "Computer science teachers", "staff"),
    FigureKind("teachers_chemistry", "Учителя химии", "Chemistry teachers", "staff"),
    FigureKind("teachers_biology", "Учителя биологии", "Biology teachers", "staff"),
    FigureKind("teachers_technology", "Учителя технологии", "Technology teachers", "staff"),
    # One figure, as table 2 of the Tomsk order counts them: «203 учителя истории,
    # экономики, права, обществознания».
    FigureKind(
        "teachers_history_social",
        "Учителя истории, обществознания, экономики и права",
        "Teachers of history, social studies, economics and law",
        "staff",
    ),
)

FIGURE_KINDS: MappingProxyType[str, FigureKind] = MappingProxyType({k.key: k for k in _KINDS})

# Column name -> (figure key, grade), for reading wide import files.
FIGURE_COLUMNS: MappingProxyType[str, tuple[str, int]] = MappingProxyType(
    {column: (kind.key, grade) for kind in _KINDS for column, grade in kind.columns()}
)


@dataclass(frozen=True)
class SchoolType:
    key: str
    label_ru: str
    label_en: str

    def label(self, language: str) -> str:
        return self.label_ru if language == "ru" else self.label_en


# A school's type, as the documents count them: Tomsk «гимназий - 9, лицеев - 8,
# школ-интернатов - 2»; Omsk's denominators of «адаптивные школы и школы-интернаты».
SCHOOL_TYPES: MappingProxyType[str, SchoolType] = MappingProxyType(
    {
        t.key: t
        for t in (
            SchoolType("general", "Общеобразовательная школа", "General school"),
            SchoolType("gymnasium", "Гимназия", "Gymnasium"),
            SchoolType("lyceum", "Лицей", "Lyceum"),
            SchoolType(
                "adaptive",
                "Адаптивная школа (реализует АООП)",
                "Adaptive school (adapted programmes, АООП)",
            ),
            SchoolType("boarding", "Школа-интернат", "Boarding school"),
            SchoolType("evening", "Вечерняя (сменная) школа", "Evening school"),
        )
    }
)


def academic_year_label(start_year: int) -> str:
    """2025 -> "2025/2026"."""
    return f"{start_year}/{start_year + 1}"


@dataclass(frozen=True)
class PartRule:
    """A figure that is a part of another for the same grade (of the pupils of grade G,
    pupils with ОВЗ), or of the pupils of one grade (graduates of grade 9 among pupils
    of grade 9)."""

    part: str
    total: str


PART_RULES = (
    PartRule("pupils_ovz", "pupils"),
    PartRule("pupils_disabled", "pupils"),
    PartRule("pupils_aoop", "pupils"),
    PartRule("graduates", "pupils"),
    PartRule("deputy_directors_uvr", "deputy_directors"),
    PartRule("deputy_directors_vr", "deputy_directors"),
    PartRule("teachers_history_social", "teachers_total"),
)


@dataclass(frozen=True)
class PartViolation:
    part_column: str
    total_column: str
    part_value: int
    total_value: int


def column_name(figure: str, grade: int) -> str:
    return figure if grade == 0 else f"{figure}_{grade}"


def part_violations(values: Mapping[tuple[str, int], int]) -> list[PartViolation]:
    """Every part that exceeds its total, among the (figure, grade) values given."""
    found = []
    for rule in PART_RULES:
        for grade in FIGURE_KINDS[rule.part].grades or (0,):
            part = values.get((rule.part, grade))
            total = values.get((rule.total, grade))
            if part is not None and total is not None and part > total:
                found.append(
                    PartViolation(
                        column_name(rule.part, grade), column_name(rule.total, grade), part, total
                    )
                )
    return found
