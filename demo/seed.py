"""`seed_demo`: load the Kaluga demo region, the city-run systems of Tomsk, Omsk and
Nevinnomyssk (each a city under a region of its own), their reference figures, campaigns
and demo users.

Idempotent: units are matched by code, users by login, and figures are written only for
units that have none for the year, so a second run creates nothing. It flushes but
never commits: the caller decides.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.models import (
    FormVersion,
    OrgUnit,
    ReferenceFigure,
    Role,
    RoleAssignment,
    UnitType,
    User,
)
from collector.publishing.services import claim
from collector.units.services import current_academic_year
from collector.units.tree import add_unit
from demo import kaluga, nevinnomyssk, omsk, tomsk
from demo.campaigns import (
    SCHOOL_FORM,
    TOMSK_TEACHER_FORM,
    CampaignsResult,
    published_version,
    seed_kaluga,
)
from demo.cities import seed_omsk, seed_tomsk
from demo.cycle import seed_kaluga_last_year
from demo.cycle_tomsk import seed_tomsk_last_year
from demo.nevinnomyssk_campaigns import seed_nevinnomyssk
from demo.tomsk2016 import seed_tomsk2016

DEMO_SCHOOL_CODE = kaluga.school_code(kaluga.KALUGA, 5)  # МБОУ «СОШ № 5» г. Калуги
TOMSK_SCHOOL_CODE = tomsk.school_code(tomsk.CITY_CODE, 2)  # МАОУ гимназия № 6 г. Томска
# БОУ г. Омска «Адаптивная школа-интернат № 14»: pupils by adapted programmes, grades 1–12
OMSK_SCHOOL_CODE = tomsk.school_code(omsk.CITY_CODE, 16)
NEVINNOMYSSK_SCHOOL_CODE = tomsk.school_code(nevinnomyssk.CITY_CODE, 1)  # гимназия № 9


class DemoSeedError(ValueError):
    """A unit with a demo code exists but is not what the demo expects."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    unit_code: str | None  # None: installation-wide (admin)
    full_name: str
    description: str  # in Russian, printed next to the login


# Fixed passwords on purpose: `make run` prints them so anyone can try the demo.
DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin(
        "admin",
        "demo-admin-2026",
        Role.ADMIN,
        None,
        "Смирнова Ольга Викторовна",
        "Администратор: вся система",
    ),
    DemoLogin(
        "region",
        "demo-region-2026",
        Role.REGIONAL_COORDINATOR,
        kaluga.REGION_CODE,
        "Кузнецов Андрей Николаевич",
        "Региональный координатор: Калужская область",
    ),
    DemoLogin(
        "kaluga",
        "demo-kaluga-2026",
        Role.MUNICIPAL_COORDINATOR,
        kaluga.KALUGA.code,
        "Морозова Елена Сергеевна",
        "Муниципальный координатор: г. Калуга",
    ),
    DemoLogin(
        "obninsk",
        "demo-obninsk-2026",
        Role.MUNICIPAL_COORDINATOR,
        kaluga.OBNINSK.code,
        "Волков Дмитрий Александрович",
        "Муниципальный координатор: г. Обнинск",
    ),
    DemoLogin(
        "school",
        "demo-school-2026",
        Role.SCHOOL_RESPONDENT,
        DEMO_SCHOOL_CODE,
        "Павлова Наталья Игоревна",
        "Ответственный от школы: МБОУ «СОШ № 5» г. Калуги",
    ),
    # A city's department runs its own campaigns: designing forms and running campaigns
    # come with the coordinator role (regional_coordinator) bound to the city unit; a
    # municipal coordinator only reviews and answers.
    DemoLogin(
        "tomsk",
        "demo-tomsk-2026",
        Role.REGIONAL_COORDINATOR,
        tomsk.CITY_CODE,
        "Григорьева Анна Владимировна",
        "Координатор департамента образования: Город Томск (кампании города)",
    ),
    DemoLogin(
        "tomsk-g6",
        "demo-tomsk-g6-2026",
        Role.SCHOOL_RESPONDENT,
        TOMSK_SCHOOL_CODE,
        "Лебедева Ирина Павловна",
        "Ответственный от школы: МАОУ гимназия № 6 г. Томска",
    ),
    DemoLogin(
        "omsk",
        "demo-omsk-2026",
        Role.REGIONAL_COORDINATOR,
        omsk.CITY_CODE,
        "Ковалёв Игорь Петрович",
        "Координатор департамента образования: Город Омск (кампании города)",
    ),
    DemoLogin(
        "omsk-do",
        "demo-omsk-do-2026",
        Role.MUNICIPAL_COORDINATOR,
        omsk.CITY_CODE,
        "Белова Светлана Юрьевна",
        "Муниципальный координатор: отчёт департамента образования г. Омска",
    ),
    DemoLogin(
        "omsk-a14",
        "demo-omsk-a14-2026",
        Role.SCHOOL_RESPONDENT,
        OMSK_SCHOOL_CODE,
        "Николаева Татьяна Андреевна",
        "Ответственный от школы: БОУ г. Омска «Адаптивная школа-интернат № 14»",
    ),
    DemoLogin(
        "nevinnomyssk",
        "demo-nevinnomyssk-2026",
        Role.REGIONAL_COORDINATOR,
        nevinnomyssk.CITY_CODE,
        "Тулиева Елена Ивановна",
        "Координатор управления образования: Город Невинномысск (кампании города)",
    ),
    DemoLogin(
        "nev-s1",
        "demo-nev-s1-2026",
        Role.SCHOOL_RESPONDENT,
        NEVINNOMYSSK_SCHOOL_CODE,
        "Савченко Оксана Николаевна",
        "Ответственный от школы: МБОУ гимназия № 9 г. Невинномысска",
    ),
]


@dataclass
class SeedResult:
    units_created: int = 0
    units_present: int = 0
    figures_created: int = 0  # rows
    figures_present: int = 0  # rows the demo schools already had for the year
    users_created: int = 0
    users_present: int = 0
    campaigns_created: int = 0
    responses_filled: int = 0
    survey_answers: int = 0
    imported_rows: int = 0
    registry_records: int = 0
    logins: list[DemoLogin] = field(default_factory=lambda: list(DEMO_LOGINS))

    @property
    def created_anything(self) -> bool:
        return bool(
            self.units_created
            or self.figures_created
            or self.users_created
            or self.campaigns_created
        )


@dataclass(frozen=True)
class _PlannedUnit:
    code: str
    parent_code: str | None
    unit_type: UnitType
    name: str
    short_name: str | None
    timezone: str | None = None
    school_type: str | None = None


def seed_campaigns(
    session: Session,
    year: int,
    rng: random.Random,
    demo_school_code: str,
    city_school_codes: frozenset[str] = frozenset(),
) -> CampaignsResult:
    """The running campaigns of the demo, when their forms are published: Kaluga's, then
    the cities'. `city_school_codes`: schools whose city reports are left not started."""
    result = CampaignsResult()
    seed_kaluga(session, year, rng, demo_school_code, result)
    # Each city has its own generator: Kaluga's demo stays the same whatever they add.
    seed_tomsk(session, year, random.Random(f"tomsk:{year}"), city_school_codes, result)
    seed_omsk(session, year, random.Random(f"omsk:{year}"), city_school_codes, result)
    seed_nevinnomyssk(
        session, year, random.Random(f"nevinnomyssk:{year}"), city_school_codes, result
    )
    seed_tomsk2016(session, year, random.Random(f"tomsk2016:{year}"), city_school_codes, result)
    return result


def _last_year_figures(
    session: Session, units: dict[str, OrgUnit], root_code: str, year: int
) -> None:
    """The demo figures of the units under `root_code`, for `year` as well."""
    root = units[root_code]
    below = {
        code: values
        for code, values in demo_figures().items()
        if units[code].path.startswith(root.path)
    }
    _seed_figures(session, below, units, year, SeedResult())


def seed_demo(session: Session, year: int | None = None) -> SeedResult:
    """Create whatever of the demo is missing, with figures for `year` (by default the
    current academic year); return what was created and what was there already."""
    year = current_academic_year() if year is None else year
    result = SeedResult()
    units = _seed_units(session, _planned_units(), result)
    _seed_figures(session, demo_figures(), units, year, result)
    _seed_users(session, units, result)
    _assign_form_owners(session, units)
    session.flush()
    # A fixed seed: the same demo every time it is loaded.
    campaigns = seed_campaigns(
        session,
        year,
        random.Random(1829),
        DEMO_SCHOOL_CODE,
        frozenset({TOMSK_SCHOOL_CODE, OMSK_SCHOOL_CODE, NEVINNOMYSSK_SCHOOL_CODE}),
    )
    # With the Kaluga school form published: the year before, closed, and the cycle after
    # it (demo.cycle), on the Kaluga units' figures of that year; the same for the Tomsk
    # teacher-needs survey (demo.cycle_tomsk).
    if published_version(session, SCHOOL_FORM) is not None:
        _last_year_figures(session, units, kaluga.REGION_CODE, year - 1)
        seed_kaluga_last_year(session, year - 1, random.Random(f"cycle:{year - 1}"), campaigns)
    if published_version(session, TOMSK_TEACHER_FORM) is not None:
        _last_year_figures(session, units, tomsk.CITY_CODE, year - 1)
        seed_tomsk_last_year(
            session,
            year - 1,
            random.Random(f"cycle-tomsk:{year - 1}"),
            campaigns,
            TOMSK_SCHOOL_CODE,
        )
    result.campaigns_created = campaigns.campaigns_created
    result.responses_filled = campaigns.responses_filled
    result.survey_answers = campaigns.survey_answers
    result.imported_rows = campaigns.imported_rows
    result.registry_records = campaigns.registry_records
    # The accounts of the schools' staff who keep the registries' records.
    result.users_created += campaigns.staff_created
    if result.created_anything:
        record(
            session,
            None,
            "demo.seed",
            None,
            units=result.units_created,
            figures=result.figures_created,
            year=year,
            users=result.users_created,
            campaigns=result.campaigns_created,
        )
    session.flush()
    return result


# Whose forms the published ones are: each document's coordinators make their next
# versions in the designer (Kaluga's order is the region's, the others are cities').
FORM_OWNERS = {
    "kaluga-": kaluga.REGION_CODE,
    "tomsk-": tomsk.CITY_CODE,
    "omsk-": omsk.CITY_CODE,
    "nevinnomyssk-": nevinnomyssk.CITY_CODE,
}


def _assign_form_owners(session: Session, units: dict[str, OrgUnit]) -> None:
    """The forms published without an owner (`flask schemas load`) given to their
    document's region or city, as `flask schemas load --owner` would."""
    for prefix, code in FORM_OWNERS.items():
        ownerless = session.scalars(
            select(FormVersion.form_id)
            .where(FormVersion.form_id.startswith(prefix), FormVersion.owner_unit_id.is_(None))
            .distinct()
        )
        for form_id in sorted(ownerless):
            claim(session, form_id, units[code], None)


def demo_figures() -> dict[str, kaluga.Figures]:
    """Unit code -> its figures for a year (the same whatever the year): every demo
    school's, and the Omsk city unit's own (children in preschool education)."""
    figures = {s.code: kaluga.school_figures(s) for s in kaluga.demo_schools()}
    figures.update({s.code: tomsk.school_figures(s, tomsk.SEED) for s in tomsk.demo_schools()})
    figures.update({s.code: tomsk.school_figures(s, omsk.SEED) for s in omsk.demo_schools()})
    figures.update(
        {s.code: tomsk.school_figures(s, nevinnomyssk.SEED) for s in nevinnomyssk.demo_schools()}
    )
    figures[omsk.CITY_CODE] = omsk.city_figures()
    return figures


def _kaluga_school_type(school: kaluga.SchoolData) -> str:
    short = school.short_name.lower()
    return "lyceum" if "лицей" in short else "gymnasium" if "гимназия" in short else "general"


def _planned_units() -> list[_PlannedUnit]:
    """Every demo unit, parents before children."""
    region = kaluga.REGION_CODE
    planned = [
        _PlannedUnit(
            region, None, UnitType.REGION, kaluga.REGION_NAME, None, kaluga.REGION_TIMEZONE
        )
    ]
    planned += [
        _PlannedUnit(m.code, region, UnitType.MUNICIPALITY, m.name, m.short_name)
        for m in kaluga.MUNICIPALITIES
    ]
    planned += [
        _PlannedUnit(
            s.code,
            s.municipality_code,
            UnitType.SCHOOL,
            s.name,
            s.short_name,
            school_type=_kaluga_school_type(s),
        )
        for s in kaluga.demo_schools()
    ]
    planned += [
        _PlannedUnit(u.code, u.parent_code or region, UnitType(u.unit_type), u.name, u.short_name)
        for u in kaluga.OTHER_UNITS
    ]
    for city in (tomsk, omsk, nevinnomyssk):
        planned += [
            _PlannedUnit(
                city.REGION_CODE, None, UnitType.REGION, city.REGION_NAME, None, city.TIMEZONE
            ),
            # On the city as well: its department sets the deadlines in it.
            _PlannedUnit(
                city.CITY_CODE,
                city.REGION_CODE,
                UnitType.MUNICIPALITY,
                city.CITY_NAME,
                city.CITY_SHORT_NAME,
                city.TIMEZONE,
            ),
        ]
        planned += [
            _PlannedUnit(
                s.code,
                city.CITY_CODE,
                UnitType.SCHOOL,
                s.name,
                s.short_name,
                school_type=s.school_type,
            )
            for s in city.demo_schools()
        ]
    return planned


def _seed_units(
    session: Session, planned: list[_PlannedUnit], result: SeedResult
) -> dict[str, OrgUnit]:
    """Code -> unit for every demo unit, creating the missing ones."""
    codes = [p.code for p in planned]
    units = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    for plan in planned:
        existing = units.get(plan.code)
        if existing is not None:
            # Refuse to hang demo data under a unit that only shares the code.
            if existing.type != plan.unit_type:
                raise DemoSeedError(
                    f"unit {plan.code!r} exists as a {existing.unit_type}, "
                    f"the demo needs a {plan.unit_type.value}"
                )
            result.units_present += 1
            continue
        units[plan.code] = add_unit(
            session,
            parent=units[plan.parent_code] if plan.parent_code else None,
            unit_type=plan.unit_type,
            code=plan.code,
            name=plan.name,
            short_name=plan.short_name,
            timezone=plan.timezone,
            school_type=plan.school_type,
        )
        result.units_created += 1
    return units


def _seed_figures(
    session: Session,
    figures: dict[str, kaluga.Figures],
    units: dict[str, OrgUnit],
    year: int,
    result: SeedResult,
) -> None:
    """Figures for the units that have none for the year: a unit with some figures
    (typed in or imported) is left as it is."""
    unit_ids = [units[code].id for code in figures]
    in_year = (ReferenceFigure.academic_year == year) & ReferenceFigure.unit_id.in_(unit_ids)
    counted = select(ReferenceFigure.unit_id, func.count()).where(in_year)
    present = {
        unit_id: n for unit_id, n in session.execute(counted.group_by(ReferenceFigure.unit_id))
    }
    rows = [
        {
            "unit_id": units[code].id,
            "academic_year": year,
            "figure": figure,
            "grade": grade,
            "value": value,
        }
        for code, values in figures.items()
        if units[code].id not in present
        for (figure, grade), value in sorted(values.items())
    ]
    if rows:
        # One executemany, not thousands of ORM objects.
        session.execute(insert(ReferenceFigure), rows)
    result.figures_created = len(rows)
    result.figures_present = sum(present.values())


def _seed_users(session: Session, units: dict[str, OrgUnit], result: SeedResult) -> None:
    usernames = [login.username for login in DEMO_LOGINS]
    present = set(session.scalars(select(User.username).where(User.username.in_(usernames))))
    for login in DEMO_LOGINS:
        if login.username in present:
            # An existing account keeps its password and roles: it may not be a demo one.
            result.users_present += 1
            continue
        user = User(username=login.username, full_name=login.full_name)
        user.set_password(login.password)
        unit = units[login.unit_code] if login.unit_code is not None else None
        user.roles.append(RoleAssignment(role=login.role.value, unit=unit))
        session.add(user)
        result.users_created += 1
