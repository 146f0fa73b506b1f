"""The registries of the Tomsk concept of 2016 as demo data: the records the city and its
schools keep (professional trials at base organisations, career-guidance programmes of
supplementary education, profile classes at employers' order and under agreements with
universities and colleges, schools founded by universities), each with its passport as a
registry's fields hold it, whether it is published, the later saves that corrected it and
whether it was archived since.

Pure (no Flask, no database) and deterministic, like demo.tomsk. The base
organisations, employers and universities are real organisations of Tomsk; the classes,
programmes, trials, people, agreements and addresses are made up in their style.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import Any

from demo import tomsk

TRIALS = "tomsk-2016-trials"
PROGRAMMES = "tomsk-2016-programmes"
CLASSES_EMPLOYERS = "tomsk-2016-classes-employers"
CLASSES_CONTRACTS = "tomsk-2016-classes-contracts"
UNIVERSITY_SCHOOLS = "tomsk-2016-university-schools"
FORMS = (TRIALS, PROGRAMMES, CLASSES_EMPLOYERS, CLASSES_CONTRACTS, UNIVERSITY_SCHOOLS)

# Universities and colleges: the base organisations of trials and the partners of classes.
TPU = "ФГАОУ ВО «Национальный исследовательский Томский политехнический университет»"
TSU = "ФГАОУ ВО «Национальный исследовательский Томский государственный университет»"
TUSUR = "ФГБОУ ВО «Томский государственный университет систем управления и радиоэлектроники»"
SIBGMU = "ФГБОУ ВО «Сибирский государственный медицинский университет» Минздрава России"
TSPU = "ФГБОУ ВО «Томский государственный педагогический университет»"
TSUAB = "ФГБОУ ВО «Томский государственный архитектурно-строительный университет»"
POLYTECHNIC = "ОГБПОУ «Томский политехнический техникум»"
IT_COLLEGE = "ОГБПОУ «Томский техникум информационных технологий»"
MEDICAL_COLLEGE = "ОГБПОУ «Томский базовый медицинский колледж»"
AGRARIAN_COLLEGE = "ОГБПОУ «Томский аграрный колледж»"
SOCIAL_COLLEGE = "ОГБПОУ «Томский техникум социальных технологий»"
INDUSTRIAL_COLLEGE = "ОГБПОУ «Томский индустриальный техникум»"
ECONOMIC_COLLEGE = "ОГБПОУ «Томский экономико-промышленный колледж»"
# Employers that order profile classes.
SIBUR = "АО «Томскнефтехим» (СИБУР)"
ROSATOM = "АО «Сибирский химический комбинат» (Госкорпорация «Росатом»)"
GAZPROMNEFT = "ООО «Газпромнефть-Восток» (ПАО «Газпром нефть»)"
TRANSGAZ = "ООО «Газпром трансгаз Томск»"
MIKRAN = "АО «НПФ „Микран“»"
HOSPITAL = "ОГАУЗ «Томская областная клиническая больница»"
ROSTELECOM = "ПАО «Ростелеком» (Томский филиал)"
GENERATION = "АО «Томская генерация»"
TEMZ = "АО «Томский электромеханический завод им. В.В. Вахрушева»"
# Supplementary education.
BELOE_OZERO = "МАОУ ДО «Дом детского творчества „У Белого озера“»"
PALACE = "МАУ ДО «Дворец творчества детей и молодёжи» г. Томска"
FAKEL = "МАОУ ДО «Дом детского творчества „Факел“»"
ISKORKA = "МАОУ ДО «Дом детского творчества „Искорка“»"
KVANTORIUM = (
    "ОГБОУ ДО «Областной центр дополнительного образования» (детский технопарк «Кванториум»)"
)


@dataclass(frozen=True)
class DemoRecord:
    form_id: str
    holder: str | None  # a Tomsk school's short name; None: the city keeps it
    passport: Mapping[str, Any]
    published: bool = True
    # Later saves, each the fields it changed ("published": the mark changed with it).
    edits: tuple[Mapping[str, Any], ...] = ()
    archived: bool = False


def _schools() -> dict[str, tomsk.CitySchool]:
    return {s.short_name: s for s in tomsk.demo_schools()}


def school_code(short_name: str) -> str:
    return _schools()[short_name].code


def _site(short_name: str) -> str:
    """A school's made-up site, as its contact e-mail is (see demo.campaigns)."""
    return f"https://{school_code(short_name).lower()}.edu-demo.example"


def _phone(name: str) -> str:
    """A made-up work number in Tomsk, the same for the same person."""
    n = zlib.crc32(name.encode())
    return f"+7 3822 {50 + n % 30}-{n // 30 % 90 + 10:02d}-{n // 2700 % 90 + 10:02d}"


def _person(name: str, position: str) -> dict[str, str]:
    return {"full_name": name, "position": position, "phone": _phone(name)}


def _ddmmyyyy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


# --- Professional trials: the city's «павильон профессиональных проб» (row 2.1) ---------

# (name, area, base, grades, hours, places, format, contact, where and with what)
_TRIALS: tuple[tuple[str, str, str, tuple[str, ...], int, int, str, tuple[str, str], str], ...] = (
    (
        "Оператор технологических установок (нефтехимия)", "engineering", SIBUR,
        ("10", "11"), 8, 10, "in_person",
        ("Кравченко Алексей Игоревич", "руководитель учебно-тренировочного центра"),
        "Учебно-тренировочный центр предприятия: компьютерный тренажёр технологического "
        "процесса полимеризации, экскурсия по лаборатории контроля качества",
    ),
    (
        "Лаборант химического анализа", "science", TPU, ("9", "10", "11"), 6, 12,
        "in_person", ("Голубева Анна Сергеевна", "старший преподаватель"),
        "Учебная лаборатория аналитической химии Инженерной школы природных ресурсов: "
        "титрование, фотометрия, анализ проб воды",
    ),
    (
        "Разработчик мобильных приложений", "it", TUSUR, ("9", "10", "11"), 12, 15,
        "blended", ("Мельников Павел Сергеевич", "доцент, руководитель проектной школы"),
        "Компьютерный класс факультета; первые 4 часа — дистанционно на учебной платформе "
        "вуза, затем разработка и защита прототипа приложения в команде",
    ),
    (
        "Медицинская сестра: первая помощь и уход за пациентом", "medicine", MEDICAL_COLLEGE,
        ("8", "9", "10", "11"), 6, 12, "in_person",
        ("Зайцева Ирина Геннадьевна", "заведующий отделением «Сестринское дело»"),
        "Симуляционный кабинет колледжа: манекены-тренажёры, отработка сердечно-лёгочной "
        "реанимации и измерения давления; халаты и бахилы выдаются",
    ),
    (
        "Инженер-электроник: сборка и настройка радиоустройства", "engineering", MIKRAN,
        ("10", "11"), 8, 8, "in_person", ("Рябов Константин Олегович", "инженер учебного центра"),
        "Учебный центр предприятия: монтаж печатной платы, пайка, настройка приёмника "
        "по измерительным приборам; инструктаж по охране труда перед началом",
    ),
    (
        "Учитель начальных классов", "education", TSPU, ("9", "10", "11"), 6, 15,
        "in_person", ("Дьякова Наталья Борисовна", "доцент кафедры педагогики"),
        "Учебные аудитории и базовая школа университета: подготовка и проведение "
        "фрагмента урока под руководством наставника",
    ),
    (
        "Архитектор: макетирование городской среды", "arts", TSUAB, ("8", "9", "10", "11"),
        8, 12, "in_person", ("Самойлова Елена Владимировна", "старший преподаватель"),
        "Мастерская архитектурного факультета: эскиз и макет дворового пространства, "
        "материалы предоставляет университет",
    ),
    (
        "Повар-кондитер", "services", SOCIAL_COLLEGE, ("8", "9"), 6, 10, "in_person",
        ("Тимофеев Виктор Андреевич", "мастер производственного обучения"),
        "Учебный кулинарный цех техникума: приготовление и оформление пирожных; санитарная "
        "одежда выдаётся, медицинская книжка не нужна (продукция не реализуется)",
    ),
    (
        "Агроном: технологии защищённого грунта", "other", AGRARIAN_COLLEGE, ("8", "9"), 6, 12,
        "in_person", ("Карпова Татьяна Михайловна", "преподаватель"),
        "Учебная теплица колледжа: посев, пикировка рассады, капельный полив и датчики "
        "микроклимата",
    ),
    (
        "Экономист: бизнес-план школьного проекта", "economics", TSU, ("10", "11"), 8, 20,
        "blended", ("Лаптева Юлия Викторовна", "руководитель центра довузовской подготовки"),
        "Институт экономики и менеджмента: вводная лекция онлайн, затем очная работа "
        "в командах и защита бизнес-плана перед преподавателями",
    ),
    (
        "Журналист: новости за один день", "arts", TSU, ("8", "9", "10", "11"), 6, 15,
        "in_person", ("Устинова Марина Александровна", "преподаватель факультета журналистики"),
        "Учебная телестудия и редакция студенческой газеты: сбор информации, съёмка "
        "и монтаж короткого сюжета",
    ),
    (
        "Оператор станков с программным управлением", "engineering", POLYTECHNIC, ("8", "9"),
        8, 10, "in_person",
        ("Ермаков Денис Павлович", "заместитель директора по учебно-производственной работе"),
        "Учебно-производственная мастерская техникума: фрезерный станок с ЧПУ, "
        "составление простой управляющей программы; спецодежда и очки выдаются",
    ),
    (
        "Оператор беспилотных авиационных систем", "it", IT_COLLEGE, ("8", "9", "10", "11"),
        8, 10, "in_person", ("Бондаренко Сергей Викторович", "преподаватель"),
        "Спортивный зал и учебный класс техникума: симулятор полёта, сборка и пилотирование "
        "учебного квадрокоптера",
    ),
    (
        "Электромонтажник", "engineering", INDUSTRIAL_COLLEGE, ("8", "9"), 8, 10, "in_person",
        ("Шевченко Ольга Анатольевна", "специалист по профориентации"),
        "Электромонтажная мастерская техникума: сборка схемы освещения на стенде, "
        "проверка мультиметром; работа только на обесточенных стендах",
    ),
    (
        "Врач-лаборант: клиническая лабораторная диагностика", "medicine", SIBGMU,
        ("10", "11"), 6, 12, "in_person",
        ("Орехова Людмила Викторовна", "ассистент кафедры клинической лабораторной диагностики"),
        "Учебная лаборатория кафедры: микроскопия мазка крови, работа с дозаторами; "
        "допуск с 15 лет по согласию родителей",
    ),
)  # fmt: skip


def _trials(year: int) -> list[DemoRecord]:
    found = []
    for n, (name, area, base, grades, hours, places, form, contact, how) in enumerate(_TRIALS):
        start = date(year, 10 if n % 3 else 11, 1)
        passport = {
            "base_organisation": base,
            "trial_name": f"Профессиональная проба «{name}»",
            "area": area,
            "grades": list(grades),
            "hours": hours,
            "places": places,
            "format": form,
            "free": True,
            "conditions": f"{how}. Группа до {places} человек; запись — по заявке "
            "общеобразовательной организации через ИМЦ, сопровождает педагог школы.",
            "valid_from": start.isoformat(),
            "valid_to": date(year + 1, 4, 30).isoformat(),
            "contact": _person(*contact),
            "agreement": f"Соглашение о сетевом взаимодействии с ИМЦ от "
            f"{_ddmmyyyy(date(year, 9, 2 + n))} № {14 + n}-ПП",
        }
        found.append(DemoRecord(TRIALS, None, passport))
    # TUSUR took a bigger group and then ran its trial to the end of May, as the plant did;
    # the architects' trial was published once its group was set; the electricians' waits
    # for its agreement (not published); the drone trial moved to another base and was
    # closed.
    found[2] = _with(found[2], edits=({"places": 20}, {"valid_to": f"{year + 1}-05-31"}))
    found[0] = _with(found[0], edits=({"valid_to": f"{year + 1}-05-31"},))
    found[13] = _with(found[13], published=False)
    found[6] = _with(found[6], published=False, edits=({"places": 14, "published": True},))
    found[12] = _with(found[12], archived=True)
    return found


def _with(record: DemoRecord, **changes: Any) -> DemoRecord:
    return replace(record, **changes)


# --- Programmes of supplementary education (row 3.1) --------------------------------------

# (holder or None for the city, name, base, base kind, direction, grades, hours, pupils,
#  format, contact)
_PROGRAMMES: tuple[
    tuple[str | None, str, str, str, str, tuple[int, int], int, int, str, tuple[str, str]], ...
] = (
    (None, "Профессиональный навигатор", BELOE_OZERO, "udo", "social", (7, 9), 72, 64,
     "in_person", ("Ерёмина Светлана Викторовна", "педагог дополнительного образования")),
    (None, "Робототехника и техническое моделирование", PALACE, "udo", "technical", (5, 9),
     144, 48, "in_person", ("Кузьмин Артём Владимирович", "педагог дополнительного образования")),
    (None, "Юный эколог-исследователь", FAKEL, "udo", "science", (5, 8), 72, 30,
     "in_person", ("Савельева Ольга Николаевна", "педагог дополнительного образования")),
    (None, "Основы журналистики и медиатворчества", ISKORKA, "udo", "social", (8, 11), 72, 24,
     "in_person", ("Никитина Дарья Андреевна", "педагог дополнительного образования")),
    (None, "Инженерный старт: 3D-моделирование и прототипирование", KVANTORIUM, "udo",
     "technical", (7, 11), 72, 36, "in_person", ("Власов Игорь Евгеньевич", "педагог-наставник")),
    (None, "Школа вожатого", PALACE, "udo", "social", (8, 10), 36, 40, "blended",
     ("Полякова Екатерина Сергеевна", "методист")),
    (None, "Юный медик", SIBGMU, "university", "science", (9, 11), 68, 45, "in_person",
     ("Орехова Людмила Викторовна", "ассистент кафедры")),
    ("Планирование карьеры", "Я и мир профессий", "school", "school", "social", (8, 9), 34, 75,
     "in_person", ("Гаврилова Наталья Петровна", "педагог-психолог")),
    ("Гимназия № 6", "Финансовая грамотность и основы предпринимательства", "school", "school",
     "social", (8, 9), 34, 50, "in_person", ("Лебедева Ирина Павловна", "учитель экономики")),
    ("Лицей № 8", "Инженерная химия", "school", "school", "science", (9, 11), 68, 28,
     "in_person", ("Петрова Галина Николаевна", "учитель химии")),
    ("СОШ № 5", "Агрошкола: современные технологии растениеводства", AGRARIAN_COLLEGE, "spo",
     "science", (8, 9), 72, 22, "in_person", ("Карпова Татьяна Михайловна", "преподаватель")),
    ("Заозерная СОШ № 16", "Программирование на Python", "school", "school", "technical",
     (7, 9), 68, 36, "in_person", ("Осипов Максим Юрьевич", "учитель информатики")),
    ("СОШ № 32", "Юный спасатель: основы пожарно-спасательного дела", "school", "school",
     "social", (6, 9), 68, 30, "in_person",
     ("Ковалёв Андрей Петрович", "преподаватель-организатор ОБЗР")),
    ("Сибирский лицей", "Школа юного программиста", TUSUR, "university", "technical", (8, 11),
     72, 40, "blended", ("Мельников Павел Сергеевич", "доцент")),
    ("Хобби-школа", "Дизайн и компьютерная графика", "school", "school", "arts", (6, 9), 72,
     32, "in_person", ("Фролова Алина Игоревна", "педагог дополнительного образования")),
    ("СОШ № 49", "Электротехника и радиомонтаж", POLYTECHNIC, "spo", "technical", (8, 9), 36,
     18, "in_person", ("Ермаков Денис Павлович", "заместитель директора")),
)  # fmt: skip

_WHERE = {
    "udo": "в помещениях учреждения дополнительного образования; оборудование учреждения",
    "university": "в учебных аудиториях и лабораториях университета по договору с ИМЦ",
    "spo": "в мастерских и лабораториях колледжа по договору о сетевом взаимодействии с ОО",
    "school": "на базе ОО во второй половине дня, в рамках дополнительного образования",
}


def _programmes(year: int) -> list[DemoRecord]:
    schools = _schools()
    found = []
    for row in _PROGRAMMES:
        holder, name, base, kind, direction, (first, last), hours, pupils, form, contact = row
        base_name = schools[holder].name if holder and base == "school" else base
        conditions = f"Занятия {_WHERE[kind]}; группы по 12–15 человек, {hours} ч в год."
        if kind in ("spo", "university"):
            conditions += f" Договор о сетевой форме реализации от {_ddmmyyyy(date(year, 8, 28))}."
        passport = {
            "base_organisation": base_name,
            "base_kind": kind,
            "programme_name": f"«{name}»",
            "direction": direction,
            "grade_from": first,
            "grade_to": last,
            "hours": hours,
            "pupils": pupils,
            "format": form,
            "free": True,
            "by_agreement": kind in ("spo", "university"),
            "conditions": conditions,
            "contact": _person(*contact),
        }
        found.append(DemoRecord(PROGRAMMES, holder, passport))
    # Groups filled up after September; the medics' programme went partly online and then
    # took more pupils; the radio-engineering group was not recruited and was closed.
    found[0] = _with(found[0], edits=({"pupils": 72},))
    found[6] = _with(found[6], edits=({"format": "blended"}, {"pupils": 52}))
    found[13] = _with(found[13], edits=({"pupils": 44},))
    found[15] = _with(found[15], archived=True)
    found[4] = _with(found[4], published=False)
    return found


# --- Profile classes (rows 4.3 and 4.4) ---------------------------------------------------

# Who may curate a class of each profile (a teacher of its subjects), picked in turn.
_CURATORS = {
    "tech": (
        ("Соловьёва Татьяна Викторовна", "учитель физики"),
        ("Морозов Виталий Сергеевич", "учитель информатики"),
        ("Киселёва Марина Юрьевна", "учитель математики"),
        ("Беляев Олег Геннадьевич", "учитель физики"),
    ),
    "science": (
        ("Андреева Оксана Николаевна", "учитель биологии"),
        ("Жукова Елена Александровна", "учитель химии"),
    ),
    "humanities": (
        ("Тарасова Наталья Васильевна", "учитель русского языка и литературы"),
        ("Егорова Людмила Ивановна", "учитель истории и обществознания"),
    ),
    "socio_economic": (
        ("Егорова Людмила Ивановна", "учитель истории и обществознания"),
        ("Киселёва Марина Юрьевна", "учитель математики"),
    ),
    "universal": (("Киселёва Марина Юрьевна", "учитель математики"),),
}

# (school, grade, letter, label of the class, customer, profile, direction, SPO partner,
#  pupils)
_EMPLOYER_CLASSES: tuple[tuple[str, int, str, str, str, str, str, str | None, int], ...] = (
    ("Гимназия № 6", 10, "Б", "Микран-класс", MIKRAN, "tech",
     "Радиоэлектроника и телекоммуникации", IT_COLLEGE, 26),
    ("Гимназия № 6", 11, "Б", "Микран-класс", MIKRAN, "tech",
     "Радиоэлектроника и телекоммуникации", IT_COLLEGE, 24),
    ("Лицей № 47", 10, "А", "СИБУР-класс", SIBUR, "tech",
     "Химическая технология и переработка полимеров", POLYTECHNIC, 27),
    ("Лицей № 47", 11, "А", "СИБУР-класс", SIBUR, "tech",
     "Химическая технология и переработка полимеров", POLYTECHNIC, 25),
    ("Лицей № 7", 10, "В", "Газпромнефть-класс", GAZPROMNEFT, "tech",
     "Нефтегазовое дело: разработка и эксплуатация месторождений", None, 25),
    ("Лицей № 8", 10, "А", "Росатом-класс", ROSATOM, "tech",
     "Ядерные физика и технологии", None, 28),
    ("Сибирский лицей", 10, "Б", "Газпром-класс", TRANSGAZ, "tech",
     "Эксплуатация газотранспортных систем", POLYTECHNIC, 24),
    ("Лицей № 51", 10, "М", "медицинский класс", HOSPITAL, "science",
     "Лечебное дело и сестринское дело", MEDICAL_COLLEGE, 27),
    ("Гимназия № 29", 11, "Б", "медицинский класс", HOSPITAL, "science",
     "Лечебное дело", MEDICAL_COLLEGE, 23),
    ("СОШ № 4", 10, "Б", "энергокласс", GENERATION, "tech",
     "Теплоэнергетика и теплотехника", POLYTECHNIC, 22),
    ("Заозерная СОШ № 16", 10, "А", "IT-класс", ROSTELECOM, "tech",
     "Информационные технологии и связь", IT_COLLEGE, 25),
    ("СОШ № 32", 9, "В", "инженерный предпрофильный класс", TEMZ, "tech",
     "Машиностроение и металлообработка", INDUSTRIAL_COLLEGE, 24),
    ("СОШ № 44", 10, "Б", "инженерный класс", TEMZ, "tech",
     "Машиностроение и металлообработка", INDUSTRIAL_COLLEGE, 18),
)  # fmt: skip

# (school, grade, letter, label of the class, partner, partner kind, profile, direction,
#  pupils)
_CONTRACT_CLASSES: tuple[tuple[str, int, str, str, str, str, str, str, int], ...] = (
    ("Гимназия № 2", 10, "А", "химико-биологический класс", SIBGMU, "university", "science",
     "Медицина и фармация", 27),
    ("Гимназия № 6", 10, "В", "медико-биологический класс", SIBGMU, "university", "science",
     "Медицина и биомедицина", 25),
    ("Гимназия № 13", 10, "А", "физико-математический класс", TPU, "university", "tech",
     "Инженерное дело, технологии и технические науки", 28),
    ("Гимназия № 18", 10, "Г", "психолого-педагогический класс", TSPU, "university",
     "humanities", "Образование и педагогические науки", 24),
    ("Гимназия № 24", 10, "Б", "правовой класс", TSU, "university", "socio_economic",
     "Юриспруденция", 26),
    ("Гимназия № 26", 10, "Э", "социально-экономический класс", TSU, "university",
     "socio_economic", "Экономика и управление", 25),
    ("Гимназия № 55", 10, "А", "класс информационной безопасности", TUSUR, "university",
     "tech", "Информационная безопасность", 26),
    ("Гимназия № 56", 10, "Б", "инженерно-строительный класс", TSUAB, "university", "tech",
     "Строительство и архитектура", 24),
    ("Лицей № 1", 10, "Ф", "филологический класс", TSU, "university", "humanities",
     "Филология и журналистика", 22),
    ("Академический лицей", 10, "А", "физико-технический класс", TPU, "university", "tech",
     "Физика и материаловедение", 27),
    ("Академический лицей", 11, "А", "физико-технический класс", TPU, "university", "tech",
     "Физика и материаловедение", 26),
    ("Лицей при ТПУ", 10, "Б", "инженерный класс", TPU, "university", "tech",
     "Энергетика и электротехника", 28),
    ("СОШ № 5", 10, "А", "агротехнологический класс", AGRARIAN_COLLEGE, "ssuz", "science",
     "Агрономия и агроинженерия", 20),
    ("СОШ № 14", 10, "П", "педагогический класс", TSPU, "university", "humanities",
     "Педагогическое образование", 23),
    ("СОШ № 40", 10, "М", "медицинский класс", MEDICAL_COLLEGE, "ssuz", "science",
     "Сестринское дело", 22),
    ("Школа „Перспектива“", 10, "И", "IT-класс", TUSUR, "university", "tech",
     "Программная инженерия", 25),
    ("СОШ № 30", 10, "С", "строительный класс", TSUAB, "university", "tech",
     "Строительство", 21),
    ("СОШ № 49", 10, "Т", "технологический класс", IT_COLLEGE, "ssuz", "tech",
     "Сетевое и системное администрирование", 22),
    ("СОШ № 58", 10, "Э", "экономический класс", ECONOMIC_COLLEGE, "ssuz", "socio_economic",
     "Экономика и бухгалтерский учёт", 16),
)  # fmt: skip


def _class(
    school: str, grade: int, letter: str, label: str, profile: str, pupils: int, year: int, n: int
) -> dict[str, Any]:
    curators = _CURATORS[profile]
    curator = curators[n % len(curators)]
    # A grade-11 class was opened a year earlier, as grade 10.
    opened = date(year - (1 if grade == 11 else 0), 9, 1)
    return {
        "class_name": f"{grade} «{letter}» ({label})",
        "school_name": _schools()[school].name,
        "pupils": pupils,
        "profile": profile,
        "grade": str(grade),
        "opened_on": opened.isoformat(),
        "curator": _person(*curator),
        "website": f"{_site(school)}/profilnye-klassy/{grade}-{n + 1}",
    }


def _employer_classes(year: int) -> list[DemoRecord]:
    found = []
    for n, row in enumerate(_EMPLOYER_CLASSES):
        school, grade, letter, label, customer, profile, direction, spo, pupils = row
        passport = _class(school, grade, letter, label, profile, pupils, year, n)
        signed = date(year - (1 if grade == 11 else 0), 8, 20 + n % 10)
        passport |= {
            "customer": customer,
            "training_direction": direction,
            "agreement": f"Соглашение о целевой профориентационной подготовке от "
            f"{_ddmmyyyy(signed)} № {31 + n}/ПК",
        }
        if spo:
            passport["spo_partners"] = spo
        found.append(DemoRecord(CLASSES_EMPLOYERS, school, passport))
    # Pupils moved in and out in September; a class changed its curator; the engineering
    # class of СОШ № 44 was not recruited and was closed.
    found[0] = _with(found[0], edits=({"pupils": 27},))
    curator = _person("Жукова Елена Александровна", "учитель химии")
    found[2] = _with(found[2], edits=({"pupils": 26}, {"curator": curator}))
    found[7] = _with(found[7], edits=({"pupils": 28},))
    found[12] = _with(found[12], archived=True)
    found[9] = _with(found[9], published=False)
    return found


def _contract_classes(year: int) -> list[DemoRecord]:
    found = []
    for n, row in enumerate(_CONTRACT_CLASSES):
        school, grade, letter, label, partner, kind, profile, direction, pupils = row
        passport = _class(school, grade, letter, label, profile, pupils, year, 20 + n)
        signed = date(year - (1 if grade == 11 else 0), 8, 25 + n % 5)
        passport |= {
            "partner": partner,
            "partner_kind": kind,
            "training_direction": direction,
            "agreement": f"Договор о сетевом взаимодействии от {_ddmmyyyy(signed)} № {210 + n}",
        }
        found.append(DemoRecord(CLASSES_CONTRACTS, school, passport))
    found[1] = _with(found[1], edits=({"pupils": 26},))
    found[4] = _with(found[4], edits=({"pupils": 27}, {"pupils": 25}))
    found[9] = _with(found[9], published=False, edits=({"published": True},))
    direction = "Программная инженерия и разработка программного обеспечения"
    found[15] = _with(found[15], edits=({"training_direction": direction},))
    found[18] = _with(found[18], archived=True)
    return found


# --- Schools founded by universities (row 4.5) --------------------------------------------

# (school, founder, directions, profiles, funding, founded, director)
_UNIVERSITY_SCHOOLS: tuple[
    tuple[str, str, str, tuple[str, ...], tuple[str, ...], date, tuple[str, str]], ...
] = (
    ("Лицей при ТПУ", TPU,
     "Инженерно-техническое (энергетика, электротехника, информатика); естественнонаучное "
     "(физика, химия); довузовская подготовка по направлениям ТПУ",
     ("tech", "science"), ("municipal", "regional", "founder"), date(1990, 9, 1),
     ("Лаврентьева Ольга Игоревна", "директор")),
    ("Академический лицей", TPU,
     "Физика и материаловедение, исследовательская деятельность в лабораториях "
     "Томского научного центра; инженерное проектирование",
     ("tech", "science", "universal"), ("municipal", "regional", "founder", "grants"),
     date(1990, 9, 1), ("Сафронов Евгений Николаевич", "директор")),
    ("Эврика-развитие", TSU,
     "Психолого-педагогическое и социально-гуманитарное направления; проектная "
     "и исследовательская деятельность по программам развивающего обучения",
     ("humanities", "socio_economic", "universal"), ("municipal", "regional", "paid_services"),
     date(1992, 9, 1), ("Ушакова Вера Андреевна", "директор")),
)  # fmt: skip


def _university_schools(year: int) -> list[DemoRecord]:
    schools = _schools()
    found = []
    for n, row in enumerate(_UNIVERSITY_SCHOOLS):
        short, founder, directions, profiles, funding, founded, director = row
        school = schools[short]
        figures = tomsk.school_figures(school)
        passport = {
            "org_name": school.name,
            "legal_status": "Муниципальное автономное общеобразовательное учреждение",
            "founder": founder,
            "training_directions": directions,
            "profiles": list(profiles),
            "funding": list(funding),
            "pupils": sum(v for (f, _g), v in figures.items() if f == "pupils"),
            "grades": f"{school.grades[0]}–{school.grades[-1]}",
            "founded_on": founded.isoformat(),
            "license": f"Лицензия № {1520 + 37 * n} от 14.03.2016, Департамент общего "
            "образования Томской области",
            "director": _person(*director),
            "website": _site(short),
        }
        found.append(DemoRecord(UNIVERSITY_SCHOOLS, short, passport))
    # The headcount of the new school year, entered in September.
    lyceum = found[1]
    pupils = lyceum.passport["pupils"]
    last_year = {**lyceum.passport, "pupils": pupils - 6}
    found[1] = _with(lyceum, passport=last_year, edits=({"pupils": pupils},))
    return found


def records(year: int) -> list[DemoRecord]:
    """Every record of the five registries for the academic year `year`, always the
    same, in the order they are entered."""
    return (
        _trials(year)
        + _programmes(year)
        + _employer_classes(year)
        + _contract_classes(year)
        + _university_schools(year)
    )


def holders() -> MappingProxyType[str, str]:
    """School short name -> code, for the schools that keep records."""
    schools = _schools()
    return MappingProxyType(
        {r.holder: schools[r.holder].code for r in records(2000) if r.holder is not None}
    )
