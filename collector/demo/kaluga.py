"""The Kaluga region as demo data: its 26 municipalities (24 districts and the city
districts of Kaluga and Obninsk), about 300 schools with plausible names, and a few units
of the other types. Pure and deterministic: the same names and codes on every run."""

from __future__ import annotations

import random
from dataclasses import dataclass

from collector.models.units import UnitType

REGION_CODE = "40"
REGION_NAME = "Калужская область"
REGION_TIMEZONE = "Europe/Moscow"
SEED = 1829  # the number of the Kaluga order


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    short_name: str
    centre: str  # "г. Боровск", "с. Бабынино"
    schools: int
    city: bool = False


@dataclass(frozen=True)
class DemoUnit:
    code: str
    name: str
    short_name: str
    unit_type: UnitType
    parent_code: str
    # "city", "centre", "village": how big its classes are.
    setting: str = "village"
    # Highest grade taught: 11 full, 9 basic, 4 primary.
    top_grade: int = 11


# District, its centre, and its number of schools (roughly as large as it is).
_DISTRICTS = (
    ("Бабынинский", "п. Бабынино", 8),
    ("Барятинский", "с. Барятино", 5),
    ("Боровский", "г. Боровск", 16),
    ("Дзержинский", "г. Кондрово", 17),
    ("Думиничский", "п. Думиничи", 8),
    ("Жиздринский", "г. Жиздра", 7),
    ("Жуковский", "г. Жуков", 13),
    ("Износковский", "с. Износки", 6),
    ("Кировский", "г. Киров", 10),
    ("Козельский", "г. Козельск", 13),
    ("Куйбышевский", "п. Бетлица", 7),
    ("Людиновский", "г. Людиново", 11),
    ("Малоярославецкий", "г. Малоярославец", 15),
    ("Медынский", "г. Медынь", 7),
    ("Мещовский", "г. Мещовск", 7),
    ("Мосальский", "г. Мосальск", 7),
    ("Перемышльский", "с. Перемышль", 7),
    ("Спас-Деменский", "г. Спас-Деменск", 6),
    ("Сухиничский", "г. Сухиничи", 10),
    ("Тарусский", "г. Таруса", 7),
    ("Ульяновский", "с. Ульяново", 6),
    ("Ферзиковский", "п. Ферзиково", 9),
    ("Хвастовичский", "с. Хвастовичи", 8),
    ("Юхновский", "г. Юхнов", 7),
)

_VILLAGES = (
    "Ильинское",
    "Покровское",
    "Никольское",
    "Воскресенское",
    "Троицкое",
    "Петровское",
    "Михайловка",
    "Александровка",
    "Берёзовка",
    "Ивановское",
    "Сосновка",
    "Дубровка",
    "Красное",
    "Заречье",
    "Богородицкое",
    "Слободка",
    "Высокое",
    "Острожное",
    "Липицы",
    "Сергиевское",
    "Андреевское",
    "Лужное",
    "Горки",
    "Озерна",
    "Кудрявец",
    "Ястребовка",
    "Вознесенье",
    "Песочня",
    "Зайцева Гора",
    "Шлиппово",
    "Мокрое",
    "Волое",
    "Брынь",
    "Глинная",
    "Поляна",
    "Рождествено",
    "Серпейск",
    "Белоусово",
    "Совхоз «Победа»",
)


def municipalities() -> list[Municipality]:
    found = [
        Municipality(
            f"{REGION_CODE}-M-{n:02d}",
            f"Муниципальный район «{name} район»",
            f"{name} район",
            centre,
            schools,
        )
        for n, (name, centre, schools) in enumerate(_DISTRICTS, start=1)
    ]
    found.append(
        Municipality(
            f"{REGION_CODE}-M-25",
            "Городской округ «Город Калуга»",
            "г. Калуга",
            "г. Калуга",
            62,
            city=True,
        )
    )
    found.append(
        Municipality(
            f"{REGION_CODE}-M-26",
            "Городской округ «Город Обнинск»",
            "г. Обнинск",
            "г. Обнинск",
            18,
            city=True,
        )
    )
    return found


def _city_school(number: int, rng: random.Random) -> tuple[str, str]:
    kind = rng.random()
    if kind < 0.08:
        return f"Лицей № {number}", f"«Лицей № {number}»"
    if kind < 0.16:
        return f"Гимназия № {number}", f"«Гимназия № {number}»"
    return f"СОШ № {number}", f"«Средняя общеобразовательная школа № {number}»"


def schools(municipality: Municipality, first_code: int) -> list[DemoUnit]:
    rng = random.Random(f"{SEED}-{municipality.code}")
    found: list[DemoUnit] = []
    villages = rng.sample(_VILLAGES, k=min(len(_VILLAGES), municipality.schools))
    for n in range(1, municipality.schools + 1):
        code = f"{REGION_CODE}-S-{first_code + n - 1:04d}"
        if municipality.city:
            short, quoted = _city_school(n, rng)
            form = rng.choice(("МБОУ", "МБОУ", "МАОУ"))
            name = f"{form} {quoted}, {municipality.centre}"
            found.append(DemoUnit(code, name, short, UnitType.SCHOOL, municipality.code, "city"))
        elif n <= 2:
            name = f"МКОУ «Средняя общеобразовательная школа № {n}», {municipality.centre}"
            found.append(
                DemoUnit(code, name, f"СОШ № {n}", UnitType.SCHOOL, municipality.code, "centre")
            )
        else:
            village = villages[n - 1]
            top = rng.choices((11, 9, 4), weights=(3, 5, 2))[0]
            kind = {11: "Средняя", 9: "Основная", 4: "Начальная"}[top]
            short = {11: "СОШ", 9: "ООШ", 4: "НОШ"}[top]
            name = f"МКОУ «{kind} общеобразовательная школа», с. {village}"
            found.append(
                DemoUnit(
                    code,
                    name,
                    f"{short} с. {village}",
                    UnitType.SCHOOL,
                    municipality.code,
                    "village",
                    top,
                )
            )
    return found


def all_schools() -> list[DemoUnit]:
    found: list[DemoUnit] = []
    for municipality in municipalities():
        found.extend(schools(municipality, len(found) + 1))
    return found


def other_units() -> list[DemoUnit]:
    region, kaluga, obninsk = REGION_CODE, f"{REGION_CODE}-M-25", f"{REGION_CODE}-M-26"
    return [
        DemoUnit(
            f"{region}-C-01",
            "ГАПОУ КО «Калужский технический колледж»",
            "Калужский технический колледж",
            UnitType.COLLEGE,
            region,
        ),
        DemoUnit(
            f"{region}-C-02",
            "ГАПОУ КО «Людиновский индустриальный техникум»",
            "Людиновский индустриальный техникум",
            UnitType.COLLEGE,
            region,
        ),
        DemoUnit(
            f"{region}-U-01",
            "ФГБОУ ВО «Калужский государственный университет им. К.Э. Циолковского»",
            "КГУ им. К.Э. Циолковского",
            UnitType.UNIVERSITY,
            region,
        ),
        DemoUnit(
            f"{region}-D-01",
            "ГБУ ДО КО «Областной центр дополнительного образования детей им. Ю.А. Гагарина»",
            "ОЦДОД им. Ю.А. Гагарина",
            UnitType.SUPPLEMENTARY,
            region,
        ),
        DemoUnit(
            f"{region}-D-02",
            "МБУ ДО «Центр развития творчества детей и юношества» г. Калуги",
            "ЦРТДиЮ",
            UnitType.SUPPLEMENTARY,
            kaluga,
        ),
        DemoUnit(
            f"{region}-K-01",
            "МБДОУ «Детский сад № 5 «Ромашка» г. Обнинска",
            "Детский сад № 5",
            UnitType.KINDERGARTEN,
            obninsk,
        ),
    ]
