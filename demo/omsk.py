"""The City of Omsk as demo data: a city-run monitoring system (the city's department of
education, order № 50 of 24 May 2023), a municipality under a region «Омская область» of
its own. Omsk has about 150 municipal schools; the demo has 56 of them, among them the
adaptive schools and boarding schools the order counts apart («адаптивные школы и
школы-интернаты»), whose pupils learn by adapted programmes (АООП), some up to grade 12.
The city unit holds the number of children in preschool education (its kindergartens are
not units of the demo).

Pure and deterministic; the figures come from the city generator of demo.tomsk.
"""

from __future__ import annotations

import random

from demo.tomsk import BASIC, FULL, CitySchool, Figures, school_code

SEED = 5523  # any fixed number; changing it changes every Omsk figure
REGION_CODE = "55-REGION"  # 55: the region's number in Russian codes
REGION_NAME = "Омская область"
TIMEZONE = "Asia/Omsk"
CITY_CODE = "55-GO-OMSK"
CITY_NAME = "Городской округ «Город Омск»"
CITY_SHORT_NAME = "Город Омск"
PHONE_CODE = "3812"

_FORM = "БОУ г. Омска"
TO_12 = tuple(range(1, 13))
# (name in quotes, short name, type, grades, teaches by adapted programmes), in a fixed
# order: the position makes the code, so new schools go at the end.
# fmt: off
_SCHOOLS: tuple[tuple[str, str, str, tuple[int, ...], bool], ...] = (
    ("Гимназия № 19", "Гимназия № 19", "gymnasium", FULL, False),
    ("Гимназия № 26", "Гимназия № 26", "gymnasium", FULL, False),
    ("Гимназия № 43", "Гимназия № 43", "gymnasium", FULL, False),
    ("Гимназия № 62", "Гимназия № 62", "gymnasium", FULL, False),
    ("Гимназия № 69 им. Чередова И.М.", "Гимназия № 69", "gymnasium", FULL, False),
    ("Гимназия № 75", "Гимназия № 75", "gymnasium", FULL, False),
    ("Гимназия № 115", "Гимназия № 115", "gymnasium", FULL, False),
    ("Лицей № 25", "Лицей № 25", "lyceum", FULL, False),
    ("Лицей № 64", "Лицей № 64", "lyceum", FULL, False),
    ("Лицей № 66", "Лицей № 66", "lyceum", FULL, False),
    ("Лицей № 74", "Лицей № 74", "lyceum", FULL, False),
    ("Лицей № 143", "Лицей № 143", "lyceum", tuple(range(5, 12)), False),
    ("Адаптивная школа № 7", "Адаптивная школа № 7", "adaptive", BASIC, True),
    ("Адаптивная школа № 17", "Адаптивная школа № 17", "adaptive", TO_12, True),
    ("Адаптивная школа № 18", "Адаптивная школа № 18", "adaptive", BASIC, True),
    ("Адаптивная школа-интернат № 14", "Адаптивная школа-интернат № 14", "boarding", TO_12,
     True),
    ("Школа-интернат среднего общего образования № 20", "Школа-интернат № 20", "boarding",
     FULL, True),
    ("Вечерняя (сменная) общеобразовательная школа № 3", "Вечерняя школа № 3", "evening",
     tuple(range(9, 13)), False),
    ("Средняя общеобразовательная школа с углублённым изучением отдельных предметов № 72",
     "СОШ с УИОП № 72", "general", FULL, False),
) + tuple(
    (f"Средняя общеобразовательная школа № {n}", f"СОШ № {n}", "general", FULL, False)
    for n in (2, 4, 8, 10, 11, 12, 16, 21, 23, 27, 28, 30, 31, 33, 37, 40, 44, 45, 48, 53,
              55, 57, 61, 77, 81, 93, 94, 97, 101, 110, 119)
) + tuple(
    (f"Основная общеобразовательная школа № {n}", f"ООШ № {n}", "general", BASIC, False)
    for n in (46, 52, 59, 86, 89, 98)
)
# fmt: on


def demo_schools() -> list[CitySchool]:
    """The demo's 56 Omsk schools, always the same."""
    return [
        CitySchool(school_code(CITY_CODE, i), f"{_FORM} «{name}»", short, kind, grades, aoop)
        for i, (name, short, kind, grades, aoop) in enumerate(_SCHOOLS, start=1)
    ]


def city_figures() -> Figures:
    """The city unit's own: children in preschool education (order № 50, 2.1)."""
    rng = random.Random(f"{SEED}:{CITY_CODE}")
    return {("preschool_children", 0): rng.randint(29_000, 31_500)}
