"""The City of Nevinnomyssk as demo data: a city-run monitoring system (the city's
department of education, order № 306 о/д of 17 September 2020), a municipality under a
region «Ставропольский край» of its own, with its general-education schools.

Pure and deterministic; the figures come from the city generator of demo.tomsk.
The names follow the city's style; they need not be exactly the real schools.
"""

from __future__ import annotations

from demo.tomsk import BASIC, FULL, CitySchool, school_code

SEED = 2630  # any fixed number; changing it changes every Nevinnomyssk figure
REGION_CODE = "26-REGION"  # 26: the region's number in Russian codes
REGION_NAME = "Ставропольский край"
TIMEZONE = "Europe/Moscow"
CITY_CODE = "26-GO-NEVINNOMYSSK"
CITY_NAME = "Город Невинномысск"
CITY_SHORT_NAME = "Город Невинномысск"
PHONE_CODE = "86554"

_FORM = "МБОУ"
# (name, short name, type, grades), in a fixed order: the position makes the code.
# fmt: off
_SCHOOLS: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("гимназия № 9 г. Невинномысска", "Гимназия № 9", "gymnasium", FULL),
    ("«Гимназия № 10 ЛИК» г. Невинномысска", "Гимназия № 10 ЛИК", "gymnasium", FULL),
    ("лицей № 1 г. Невинномысска", "Лицей № 1", "lyceum", FULL),
    ("лицей № 6 г. Невинномысска", "Лицей № 6", "lyceum", FULL),
) + tuple(
    (f"СОШ № {n} г. Невинномысска", f"СОШ № {n}", "general", FULL)
    for n in (2, 3, 5, 7, 8, 11, 12, 14, 15, 16, 18, 20)
) + tuple(
    (f"ООШ № {n} г. Невинномысска", f"ООШ № {n}", "general", BASIC)
    for n in (4, 13)
) + (
    ("«Кадетская школа имени генерала А.П. Ермолова» г. Невинномысска", "Кадетская школа",
     "boarding", tuple(range(5, 12))),
)
# fmt: on


def demo_schools() -> list[CitySchool]:
    """The demo's 19 Nevinnomyssk schools, always the same."""
    return [
        CitySchool(school_code(CITY_CODE, i), f"{_FORM} {name}", short, kind, grades)
        for i, (name, short, kind, grades) in enumerate(_SCHOOLS, start=1)
    ]
