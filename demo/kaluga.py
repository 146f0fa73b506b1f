"""The Kaluga region as demo data: its 26 municipalities (24 municipal districts and the
city districts of Kaluga and Obninsk), about 290 schools with plausible names and
reference figures, and a few units of the other types.

Pure (no Flask, no database) and deterministic: fixed seeds give the same names, codes
and numbers on every run, so `seed_demo` can be run again and tests can recompute sums.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

SEED = 4029  # any fixed number; changing it changes every generated school and figure
REGION_CODE = "40-REGION"  # 40: the region's number in Russian codes
REGION_NAME = "Калужская область"
REGION_TIMEZONE = "Europe/Moscow"

# "city": Kaluga and Obninsk; "town": towns and district centres; "village": the rest.
Size = Literal["city", "town", "village"]
# full: grades 1–11, basic: 1–9, primary: 1–4.
Level = Literal["full", "basic", "primary"]
Figures = dict[tuple[str, int], int]

GRADES: dict[Level, range] = {"full": range(1, 12), "basic": range(1, 10), "primary": range(1, 5)}
_LEVEL_NAMES: dict[Level, tuple[str, str]] = {
    "full": ("Средняя общеобразовательная школа", "СОШ"),
    "basic": ("Основная общеобразовательная школа", "ООШ"),
    "primary": ("Начальная общеобразовательная школа", "НОШ"),
}


@dataclass(frozen=True)
class Place:
    """A town or district centre with `schools` schools, numbered when more than one."""

    label: str  # as it ends a school's name: "г. Боровска", "п. Бабынино"
    schools: int = 1


@dataclass(frozen=True)
class MunicipalityData:
    slug: str
    title: str  # "Бабынинский район", "Город Калуга"
    school_form: str  # legal form of its schools: МКОУ (казённое), МОУ, МБОУ
    places: tuple[Place, ...] = ()
    villages: tuple[str, ...] = ()  # one school each: "с. Муромцево"
    # City districts only: the city in the genitive, and its schools: a number is an
    # ordinary school, anything else a named one ("Лицей № 9").
    city_label: str = ""
    city_schools: tuple[str, ...] = ()

    @property
    def is_city(self) -> bool:
        return bool(self.city_label)

    @property
    def code(self) -> str:
        return f"40-{'GO' if self.is_city else 'MR'}-{self.slug}"

    @property
    def name(self) -> str:
        kind = "Городской округ" if self.is_city else "Муниципальный район"
        return f"{kind} «{self.title}»"

    @property
    def short_name(self) -> str:
        return self.title


@dataclass(frozen=True)
class SchoolData:
    code: str
    municipality_code: str
    name: str
    short_name: str
    level: Level
    size: Size


@dataclass(frozen=True)
class OtherUnitData:
    code: str
    unit_type: str  # a collector.models.UnitType value
    parent_code: str | None  # None: directly under the region
    name: str
    short_name: str


def _district(
    slug: str, adjective: str, form: str, places: tuple[Place, ...], *villages: str
) -> MunicipalityData:
    return MunicipalityData(slug, f"{adjective} район", form, places, villages)


def _city(slug: str, city: str, label: str, schools: tuple[str, ...]) -> MunicipalityData:
    return MunicipalityData(slug, f"Город {city}", "МБОУ", city_label=label, city_schools=schools)


P = Place
# Real district centres and towns; the villages are real or plausible names of the area.
# School counts are set by hand so that they follow the districts' sizes.
# fmt: off
DISTRICTS: tuple[MunicipalityData, ...] = (
    _district("BABYNINO", "Бабынинский", "МКОУ", (P("п. Бабынино"), P("п. Воротынск", 2)),
              "с. Муромцево", "с. Утешево", "с. Сабуровщино", "с. Антопьево", "д. Куракино",
              "с. Вязовна"),
    _district("BARYATINO", "Барятинский", "МКОУ", (P("с. Барятино"),),
              "с. Асмолово", "с. Бахмутово", "с. Сильковичи", "с. Милеево"),
    _district("BOROVSK", "Боровский", "МОУ",
              (P("г. Боровска", 3), P("г. Балабаново", 3), P("г. Ермолино", 2)),
              "с. Ворсино", "с. Кривское", "д. Совьяки", "с. Асеньевское", "п. Институт",
              "д. Кабицыно", "с. Красное", "д. Рябушки"),
    _district("KONDROVO", "Дзержинский", "МКОУ",
              (P("г. Кондрово", 3), P("п. Полотняный Завод", 2), P("п. Товарково", 2),
               P("п. Пятовский")),
              "с. Дворцы", "д. Галкино", "с. Редькино", "д. Никольское", "с. Барсуки",
              "с. Карцово", "д. Жилетово"),
    _district("DUMINICHI", "Думиничский", "МКОУ", (P("п. Думиничи", 2),),
              "п. Новослободск", "с. Брынь", "с. Хотьково", "с. Чернышено", "с. Вертерево",
              "д. Которь"),
    _district("ZHIZDRA", "Жиздринский", "МКОУ", (P("г. Жиздры", 2),),
              "с. Огорь", "с. Младенск", "с. Полюдово", "п. Коллективизатор", "д. Студенец"),
    _district("ZHUKOV", "Жуковский", "МОУ",
              (P("г. Жукова", 2), P("г. Белоусово", 2), P("г. Кременки", 2)),
              "с. Тарутино", "п. Восход", "с. Высокиничи", "с. Истье", "с. Троицкое",
              "с. Верховье", "д. Протва", "с. Ольховка", "с. Трубино"),
    _district("IZNOSKI", "Износковский", "МКОУ", (P("с. Износки"),),
              "с. Мятлево", "п. Льнозавод", "п. Шанский Завод", "с. Ивановское", "с. Алферово"),
    _district("KIROV", "Кировский", "МКОУ", (P("г. Кирова", 4),),
              "п. Фаянсовая", "с. Шайковка", "с. Бережки", "с. Тягаево", "д. Выползово"),
    _district("KOZELSK", "Козельский", "МКОУ", (P("г. Козельска", 3), P("г. Сосенский", 3)),
              "с. Волконское", "с. Попелево", "с. Плюсково", "с. Сенино", "с. Нижние Прыски",
              "с. Каменка"),
    _district("BETLITSA", "Куйбышевский", "МКОУ", (P("с. Бетлица"),),
              "п. Бутчино", "с. Закрутое", "с. Мокрое", "д. Кузьминичи", "с. Высокое"),
    _district("LYUDINOVO", "Людиновский", "МКОУ", (P("г. Людиново", 6),),
              "п. Заречный", "д. Букань", "с. Заболотье", "д. Манино"),
    _district("MALOYAROSLAVETS", "Малоярославецкий", "МОУ",
              (P("г. Малоярославца", 4), P("п. Детчино")),
              "с. Кудиново", "с. Головтеево", "с. Ерденево", "с. Воробьёво", "с. Маклино",
              "с. Недельное", "с. Ильинское", "с. Коллонтай", "с. Прудки", "д. Шумятино",
              "с. Карижа"),
    _district("MEDYN", "Медынский", "МКОУ", (P("г. Медыни", 2),),
              "с. Кременское", "с. Михеево", "с. Романово", "с. Гусаково", "с. Глухово",
              "с. Адамовское"),
    _district("MESHCHOVSK", "Мещовский", "МКОУ", (P("г. Мещовска"),),
              "с. Серпейск", "с. Торкотино", "д. Гаврики", "с. Кудринская", "с. Покров",
              "п. Молодёжный"),
    _district("MOSALSK", "Мосальский", "МКОУ", (P("г. Мосальска", 2),),
              "с. Долгое", "с. Людково", "с. Боровенск", "с. Посконь", "с. Гачки"),
    _district("PEREMYSHL", "Перемышльский", "МКОУ", (P("с. Перемышль"),),
              "с. Ахлебинино", "с. Корекозево", "д. Макарово", "с. Григоровское",
              "с. Покровское", "с. Сильково", "с. Хохловка"),
    _district("SPAS-DEMENSK", "Спас-Деменский", "МКОУ", (P("г. Спас-Деменска", 2),),
              "с. Лазинки", "с. Чипляево", "п. Новоалександровский", "д. Нестеры"),
    _district("SUKHINICHI", "Сухиничский", "МКОУ", (P("г. Сухиничи", 3), P("п. Середейский")),
              "с. Хотень", "с. Фролово", "с. Бордуково", "с. Стрельна", "с. Субботники",
              "с. Радождево"),
    _district("TARUSA", "Тарусский", "МКОУ", (P("г. Тарусы", 2),),
              "с. Некрасово", "с. Лопатино", "с. Похвиснево", "с. Вознесенье", "с. Кузьмищево"),
    _district("ULYANOVO", "Ульяновский", "МКОУ", (P("с. Ульяново"),),
              "с. Заречье", "с. Дудорово", "с. Мелихово", "с. Кирейково", "с. Поздняково"),
    _district("FERZIKOVO", "Ферзиковский", "МКОУ", (P("п. Ферзиково"),),
              "п. Дугна", "с. Авчурино", "п. Бебелевский", "п. Октябрьский", "с. Ястребовка",
              "с. Сашкино", "с. Кольцово", "с. Бронцы", "д. Зудна"),
    _district("KHVASTOVICHI", "Хвастовичский", "МКОУ", (P("с. Хвастовичи", 2),),
              "п. Еленский", "с. Подбужье", "с. Кудрявец", "с. Красное", "с. Нехочи",
              "с. Ловать", "д. Берёзовка"),
    _district("YUKHNOV", "Юхновский", "МКОУ", (P("г. Юхнова", 2),),
              "с. Колыхманово", "д. Рыляки", "п. Климов Завод", "с. Щелканово", "д. Плотки"),
)
# fmt: on

_KALUGA_NAMED = {9: "Лицей № 9", 19: "Гимназия № 19", 24: "Гимназия № 24", 36: "Лицей № 36"}
KALUGA = _city(
    "KALUGA",
    "Калуга",
    "г. Калуги",
    tuple(_KALUGA_NAMED.get(n, str(n)) for n in range(1, 51)),
)
OBNINSK = _city(
    "OBNINSK",
    "Обнинск",
    "г. Обнинска",
    tuple(str(n) for n in (1, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17))
    + ("Гимназия", "Лицей „Держава“", "Технический лицей"),
)
MUNICIPALITIES: tuple[MunicipalityData, ...] = (*DISTRICTS, KALUGA, OBNINSK)

# fmt: off
OTHER_UNITS: tuple[OtherUnitData, ...] = (
    OtherUnitData("40-POO-KTK", "college", None,
                  "ГАПОУ КО «Калужский технический колледж»", "Калужский технический колледж"),
    OtherUnitData("40-POO-LIT", "college", None,
                  "ГАПОУ КО «Людиновский индустриальный техникум»",
                  "Людиновский индустриальный техникум"),
    OtherUnitData("40-VO-KGU", "university", None,
                  "ФГБОУ ВО «Калужский государственный университет им. К.Э. Циолковского»",
                  "КГУ им. К.Э. Циолковского"),
    OtherUnitData("40-DO-OCDOD", "supplementary", None,
                  "ГБУ ДО КО «Областной центр дополнительного образования детей "
                  "им. Ю.А. Гагарина»", "ОЦДОД им. Ю.А. Гагарина"),
    OtherUnitData("40-GO-KALUGA-DO01", "supplementary", KALUGA.code,
                  "МБУ ДО «Дворец творчества детей и молодёжи» г. Калуги", "Дворец творчества"),
    OtherUnitData("40-GO-KALUGA-DOU61", "kindergarten", KALUGA.code,
                  "МБДОУ «Детский сад № 61 „Солнышко“» г. Калуги", "Детский сад № 61"),
)
# fmt: on


def demo_schools() -> list[SchoolData]:
    """Every demo school, municipality by municipality, always the same."""
    rng = random.Random(SEED)
    return [school for m in MUNICIPALITIES for school in _schools_of(m, rng)]


def school_code(municipality: MunicipalityData, index: int) -> str:
    """Kaluga's ordinary schools are listed by number, so "40-GO-KALUGA-S005" is СОШ № 5."""
    return f"{municipality.code}-S{index:03d}"


def _schools_of(m: MunicipalityData, rng: random.Random) -> Iterator[SchoolData]:
    # (name, short name, level, size) in a fixed order; the index makes the code.
    entries: list[tuple[str, str, Level, Size]] = []
    for entry in m.city_schools:
        if not entry.isdigit():  # lyceums and gymnasiums teach all grades
            entries.append((f"{m.school_form} «{entry}» {m.city_label}", entry, "full", "city"))
            continue
        level: Level = rng.choices(("full", "basic"), weights=(92, 8))[0]
        title, short = _LEVEL_NAMES[level]
        name = f"{m.school_form} «{title} № {entry}» {m.city_label}"
        entries.append((name, f"{short} № {entry}", level, "city"))
    for place in m.places:
        for n in range(1, place.schools + 1):
            # The first school of a town is a full one; a few others stop at grade 9.
            level = "full" if n == 1 else rng.choices(("full", "basic"), weights=(85, 15))[0]
            title, short = _LEVEL_NAMES[level]
            number = f" № {n}" if place.schools > 1 else ""
            name = f"{m.school_form} «{title}{number}» {place.label}"
            entries.append((name, f"{short}{number} {place.label}", level, "town"))
    for village in m.villages:
        level = rng.choices(("full", "basic", "primary"), weights=(45, 40, 15))[0]
        title, short = _LEVEL_NAMES[level]
        entries.append((f"МКОУ «{title}» {village}", f"{short} {village}", level, "village"))
    for index, (name, short, level, size) in enumerate(entries, start=1):
        yield SchoolData(school_code(m, index), m.code, name, short, level, size)


# --- Reference figures -------------------------------------------------------------------

_CLASSES_PER_GRADE: dict[Size, tuple[int, int]] = {"city": (2, 4), "town": (1, 3)}
_CLASS_SIZE: dict[Size, tuple[int, int]] = {"city": (20, 30), "town": (14, 26)}
_PSYCHOLOGISTS: dict[Size, tuple[int, ...]] = {
    "city": (1, 1, 2),
    "town": (0, 1, 1),
    "village": (0, 0, 1),
}
_SOCIAL_PEDAGOGUES: dict[Size, tuple[int, ...]] = {
    "city": (1,),
    "town": (0, 1),
    "village": (0, 0, 1),
}


def school_figures(school: SchoolData) -> Figures:
    """(figure, grade) -> value for one academic year (the same whatever the year); grade 0
    for the ungraded staff figures. Only the grades the school teaches have rows."""
    # Each school has its own generator: its numbers do not move when the list changes.
    rng = random.Random(f"{SEED}:{school.code}")
    classes = _classes(rng, school)
    pupils = {grade: _grade_pupils(rng, school.size, grade, n) for grade, n in classes.items()}
    ovz_rate, disabled_rate = rng.uniform(0.02, 0.09), rng.uniform(0.005, 0.025)
    figures: Figures = {}
    for grade, count in pupils.items():
        figures[("pupils", grade)] = count
        # Drawn pupil by pupil, so a part can never exceed its grade.
        figures[("pupils_ovz", grade)] = _share(rng, count, ovz_rate)
        figures[("pupils_disabled", grade)] = _share(rng, count, disabled_rate)
    for grade in (9, 11):
        if grade in pupils:
            # A few of a leaving grade repeat the year or leave before the exams.
            figures[("graduates", grade)] = max(0, pupils[grade] - rng.choice((0, 0, 0, 1, 2)))
    figures.update({(key, 0): value for key, value in _staff(rng, school, classes, pupils).items()})
    return figures


def _classes(rng: random.Random, school: SchoolData) -> dict[int, int]:
    grades = GRADES[school.level]
    if school.size == "village":
        return {grade: 1 for grade in grades}
    low, high = _CLASSES_PER_GRADE[school.size]
    # A school is big or small in every grade: one number of parallel classes, varied a bit.
    base = rng.randint(low, high)
    found: dict[int, int] = {}
    for grade in grades:
        if grade >= 10:
            # After grade 9 many leave for colleges: about half the classes remain.
            found[grade] = max(1, base // 2)
        else:
            found[grade] = min(high, max(low, base + rng.choice((-1, 0, 0, 0, 1))))
    return found


def _grade_pupils(rng: random.Random, size: Size, grade: int, classes: int) -> int:
    if size == "village":
        return rng.randint(3, 12) if grade <= 9 else rng.randint(2, 8)
    low, high = _CLASS_SIZE[size]
    return sum(rng.randint(low, high) for _ in range(classes))


def _share(rng: random.Random, count: int, rate: float) -> int:
    return sum(1 for _ in range(count) if rng.random() < rate)


def _need(classes: int, per_teacher: int) -> int:
    """Teachers a subject needs: one per `per_teacher` classes (from its weekly hours)."""
    return math.ceil(classes / per_teacher)


def _staff(
    rng: random.Random, school: SchoolData, classes: dict[int, int], pupils: dict[int, int]
) -> dict[str, int]:
    primary = sum(n for grade, n in classes.items() if grade <= 4)
    if school.size == "village":
        # Small village schools teach grades 1–4 in combined classes of up to ten.
        primary = min(4, math.ceil(sum(pupils[grade] for grade in range(1, 5)) / 10))

    def upper(first: int, last: int = 11) -> int:
        return sum(n for grade, n in classes.items() if first <= grade <= last)

    staff = {
        "teachers_primary": primary,
        "teachers_math": _need(upper(5), 4),
        "teachers_physics": _need(upper(7), 8),
        "teachers_informatics": _need(upper(7), 12),
        "teachers_chemistry": _need(upper(8), 10),
        "teachers_biology": _need(upper(5), 12),
        "teachers_technology": _need(upper(5, 9), 10),
        "psychologists": rng.choice(_PSYCHOLOGISTS[school.size]),
        "social_pedagogues": rng.choice(_SOCIAL_PEDAGOGUES[school.size]),
    }
    # Russian, literature, languages, history, PE, arts and the rest, grades 5–11, plus
    # a language and a PE teacher for every four primary classes.
    others = round(upper(5) * rng.uniform(0.9, 1.2)) + 2 * _need(primary, 4)
    staff["teachers_total"] = sum(staff.values()) + others
    staff["class_teachers"] = primary + upper(5)
    staff["deputy_directors"] = deputies = _deputies(rng, school)
    # A school with two deputies or more has one for upbringing (ВР); of the rest, a city
    # school's last one runs the building (АХР), the others teaching (УВР).
    staff["deputy_directors_vr"] = 1 if deputies >= 2 else 0
    building = 1 if deputies >= 4 else 0
    staff["deputy_directors_uvr"] = deputies - staff["deputy_directors_vr"] - building
    # History and social studies take about 4 of a class's weekly hours in grades 5–11.
    staff["teachers_history_social"] = _need(upper(5), 6)
    return staff


def _deputies(rng: random.Random, school: SchoolData) -> int:
    if school.size == "city":
        return rng.randint(3, 5)
    if school.size == "town":
        return rng.randint(2, 3)
    return rng.choice((0, 1)) if school.level == "primary" else 1
