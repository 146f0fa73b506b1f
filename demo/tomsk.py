"""The City of Tomsk as demo data: a city-run monitoring system (the city's department of
education runs its own campaigns), a municipality under a region «Томская область» of its
own, with the 67 schools its order counts: «Число муниципальных общеобразовательных
учреждений - 67, из них гимназий - 9, лицеев - 8, школ-интернатов - 2».

Also the generator of a city school's reference figures, which the Omsk demo shares.
Pure (no Flask, no database) and deterministic, like demo.kaluga. The names are
made up in the city's style; they need not be real schools.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

SEED = 7022  # any fixed number; changing it changes every Tomsk figure
REGION_CODE = "70-REGION"  # 70: the region's number in Russian codes
REGION_NAME = "Томская область"
TIMEZONE = "Asia/Tomsk"
CITY_CODE = "70-GO-TOMSK"
CITY_NAME = "Муниципальное образование «Город Томск»"
CITY_SHORT_NAME = "Город Томск"
PHONE_CODE = "3822"

Figures = dict[tuple[str, int], int]
FULL = tuple(range(1, 12))  # grades 1–11
BASIC = tuple(range(1, 10))  # grades 1–9


@dataclass(frozen=True)
class CitySchool:
    code: str
    name: str
    short_name: str
    school_type: str  # a key of collector.unit_catalog.SCHOOL_TYPES
    grades: tuple[int, ...]  # the grades it teaches: it has pupils in these only
    # Teaches pupils by adapted programmes (АООП): it has pupils_aoop figures.
    aoop: bool = False


def school_code(city_code: str, index: int) -> str:
    return f"{city_code}-S{index:03d}"


_FORM = "МАОУ"
_CITY = "г. Томска"
# (name without the legal form and the city, short name, type, grades), in a fixed order:
# the position makes the code, so new schools go at the end.
# fmt: off
_SCHOOLS: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("гимназия № 2", "Гимназия № 2", "gymnasium", FULL),
    ("гимназия № 6", "Гимназия № 6", "gymnasium", FULL),
    ("гимназия № 13", "Гимназия № 13", "gymnasium", FULL),
    ("гимназия № 18", "Гимназия № 18", "gymnasium", FULL),
    ("гимназия № 24 им. М.В. Октябрьской", "Гимназия № 24", "gymnasium", FULL),
    ("гимназия № 26", "Гимназия № 26", "gymnasium", FULL),
    ("гимназия № 29", "Гимназия № 29", "gymnasium", FULL),
    ("гимназия № 55 им. Е.Г. Веденякина", "Гимназия № 55", "gymnasium", FULL),
    ("гимназия № 56", "Гимназия № 56", "gymnasium", FULL),
    ("лицей № 1 им. А.С. Пушкина", "Лицей № 1", "lyceum", FULL),
    ("лицей № 7", "Лицей № 7", "lyceum", FULL),
    ("лицей № 8 им. Н.Н. Рукавишникова", "Лицей № 8", "lyceum", FULL),
    ("лицей № 47", "Лицей № 47", "lyceum", FULL),
    ("лицей № 51", "Лицей № 51", "lyceum", FULL),
    ("Академический лицей им. Г.А. Псахье", "Академический лицей", "lyceum", FULL),
    ("Сибирский лицей", "Сибирский лицей", "lyceum", tuple(range(5, 12))),
    ("лицей при ТПУ", "Лицей при ТПУ", "lyceum", tuple(range(8, 12))),
    ("школа-интернат № 1", "Школа-интернат № 1", "boarding", FULL),
    ("кадетская школа-интернат № 2", "Кадетская школа-интернат № 2", "boarding",
     tuple(range(5, 12))),
    ("СОШ № 4 им. И.С. Черных", "СОШ № 4", "general", FULL),
    ("СОШ № 5 им. А.К. Ерохина", "СОШ № 5", "general", FULL),
    ("СОШ № 11 им. В.И. Смирнова", "СОШ № 11", "general", FULL),
    ("СОШ № 14 им. А.Ф. Лебедева", "СОШ № 14", "general", FULL),
    ("Заозерная СОШ с углублённым изучением отдельных предметов № 16", "Заозерная СОШ № 16",
     "general", FULL),
    ("СОШ № 27 им. Г.Н. Ворошилова", "СОШ № 27", "general", FULL),
    ("СОШ № 32 им. 19-й гвардейской стрелковой дивизии", "СОШ № 32", "general", FULL),
    ("«Школа „Перспектива“»", "Школа „Перспектива“", "general", FULL),
    ("«Эврика-развитие»", "Эврика-развитие", "general", FULL),
    ("«Планирование карьеры»", "Планирование карьеры", "general", FULL),
    ("«Томская Хобби-школа»", "Хобби-школа", "general", FULL),
    ("ООШ № 62", "ООШ № 62", "general", BASIC),
    ("ООШ № 65", "ООШ № 65", "general", BASIC),
    ("ООШ № 66", "ООШ № 66", "general", BASIC),
) + tuple(
    (f"СОШ № {n}", f"СОШ № {n}", "general", FULL)
    for n in (3, 10, 12, 15, 17, 19, 20, 22, 23, 25, 28, 30, 31, 33, 34, 35, 36, 37, 40, 41,
              42, 43, 44, 45, 46, 49, 50, 53, 54, 57, 58, 59, 64, 67)
)
# fmt: on


def demo_schools() -> list[CitySchool]:
    """The 67 schools of the city, always the same."""
    return [
        CitySchool(school_code(CITY_CODE, i), f"{_FORM} {name} {_CITY}", short, kind, grades)
        for i, (name, short, kind, grades) in enumerate(_SCHOOLS, start=1)
    ]


# --- Reference figures of a city school (shared with demo.omsk) ---------------

# school type -> (parallel classes per grade, low and high), (pupils per class)
_SIZE: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "general": ((2, 4), (22, 30)),
    "gymnasium": ((3, 4), (24, 30)),
    "lyceum": ((3, 4), (24, 30)),
    "boarding": ((1, 2), (14, 22)),
    "adaptive": ((1, 2), (6, 12)),
    "evening": ((1, 2), (12, 24)),
}
# school type -> range of the share of pupils with ОВЗ, and of disabled pupils
_OVZ: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "general": ((0.02, 0.08), (0.005, 0.02)),
    "gymnasium": ((0.01, 0.04), (0.003, 0.012)),
    "lyceum": ((0.01, 0.04), (0.003, 0.012)),
    "boarding": ((0.15, 0.45), (0.04, 0.12)),
    "adaptive": ((0.95, 1.0), (0.25, 0.5)),
    "evening": ((0.03, 0.1), (0.01, 0.03)),
}
_SELECTIVE = ("gymnasium", "lyceum")


def school_figures(school: CitySchool, seed: int = SEED) -> Figures:
    """(figure, grade) -> value for one academic year, grade 0 for the ungraded staff
    figures. Only the grades the school teaches have pupil rows; pupils_aoop only where
    the school teaches by adapted programmes."""
    # Each school has its own generator: its numbers do not move when the list changes.
    rng = random.Random(f"{seed}:{school.code}")
    classes = _classes(rng, school)
    low, high = _SIZE[school.school_type][1]
    pupils = {grade: sum(rng.randint(low, high) for _ in range(n)) for grade, n in classes.items()}
    (ovz_low, ovz_high), (dis_low, dis_high) = _OVZ[school.school_type]
    ovz_rate, disabled_rate = rng.uniform(ovz_low, ovz_high), rng.uniform(dis_low, dis_high)
    aoop_rate = rng.uniform(0.75, 1.0)
    figures: Figures = {}
    for grade, count in pupils.items():
        figures[("pupils", grade)] = count
        # Drawn pupil by pupil, so a part never exceeds its grade.
        ovz = figures[("pupils_ovz", grade)] = _share(rng, count, ovz_rate)
        figures[("pupils_disabled", grade)] = _share(rng, count, disabled_rate)
        if school.aoop:
            # Most pupils with ОВЗ of such a school learn by an adapted programme.
            figures[("pupils_aoop", grade)] = _share(rng, ovz, aoop_rate)
    last = max(pupils)
    for grade in (9, 11):
        # Graduates of grade 11 only where it is the last grade (not before a grade 12).
        if grade in pupils and (grade == 9 or last == 11):
            figures[("graduates", grade)] = max(0, pupils[grade] - rng.choice((0, 0, 0, 1, 2)))
    figures.update({(key, 0): value for key, value in _staff(rng, school, classes).items()})
    return figures


def _classes(rng: random.Random, school: CitySchool) -> dict[int, int]:
    (low, high), _size = _SIZE[school.school_type]
    # A school is big or small in every grade: one number of parallel classes, varied a bit.
    base = rng.randint(low, high)
    if school.grades == BASIC and school.school_type == "general":
        base = rng.randint(1, 2)  # the basic schools are the small ones
    found: dict[int, int] = {}
    for grade in school.grades:
        if grade >= 10 and school.school_type in _SELECTIVE:
            # Gymnasiums and lyceums keep most of their pupils after grade 9.
            found[grade] = max(1, base - 1)
        elif grade >= 10:
            # After grade 9 many leave for colleges: about half the classes remain.
            found[grade] = max(1, base // 2)
        else:
            found[grade] = min(high, max(low, base + rng.choice((-1, 0, 0, 0, 1))))
    return found


def _share(rng: random.Random, count: int, rate: float) -> int:
    return sum(1 for _ in range(count) if rng.random() < rate)


def _need(classes: int, per_teacher: int) -> int:
    """Teachers a subject needs: one per `per_teacher` classes (from its weekly hours)."""
    return math.ceil(classes / per_teacher)


def _staff(rng: random.Random, school: CitySchool, classes: dict[int, int]) -> dict[str, int]:
    def upper(first: int, last: int = 12) -> int:
        return sum(n for grade, n in classes.items() if first <= grade <= last)

    primary = upper(1, 4)
    special = school.school_type in ("adaptive", "boarding")
    staff = {
        "teachers_primary": primary,
        "teachers_math": _need(upper(5), 4),
        "teachers_physics": _need(upper(7), 8),
        "teachers_informatics": _need(upper(7), 12),
        "teachers_chemistry": _need(upper(8), 10),
        "teachers_biology": _need(upper(5), 12),
        "teachers_technology": _need(upper(5, 9), 10) + (1 if special else 0),
        "psychologists": rng.choice((2, 3) if special else (1, 1, 2)),
        "social_pedagogues": rng.choice((1, 2) if special else (0, 1, 1)),
    }
    # Russian, literature, languages, history, PE, arts and the rest, grades 5–11, plus
    # a language and a PE teacher for every four primary classes; speech therapists and
    # defectologists where pupils learn by adapted programmes.
    others = round(upper(5) * rng.uniform(0.9, 1.2)) + 2 * _need(primary, 4)
    others += rng.randint(3, 6) if special else 0
    staff["teachers_total"] = sum(staff.values()) + others
    staff["class_teachers"] = sum(classes.values())
    deputies = rng.randint(2, 3) if school.school_type in ("adaptive", "evening") else None
    if deputies is None:
        deputies = rng.randint(4, 6) if school.school_type in _SELECTIVE else rng.randint(3, 5)
    staff["deputy_directors"] = deputies
    # One deputy for upbringing (ВР); of the rest, a big school's last one runs the
    # building (АХР), the others teaching (УВР).
    staff["deputy_directors_vr"] = 1
    building = 1 if deputies >= 4 else 0
    staff["deputy_directors_uvr"] = deputies - 1 - building
    # History and social studies take about 4 of a class's weekly hours in grades 5–11.
    staff["teachers_history_social"] = _need(upper(5), 6)
    return staff
