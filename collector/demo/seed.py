"""`seed_demo`: load the Kaluga demo region, its reference figures and one user per role.

Idempotent: units are matched by code, users by login, and figures are written only for
schools that have none for the year, so a second run creates nothing. It flushes but
never commits: the caller decides.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.demo import kaluga
from collector.demo.campaigns import seed_campaigns
from collector.models import OrgUnit, ReferenceFigure, Role, RoleAssignment, UnitType, User
from collector.units.services import current_academic_year
from collector.units.tree import add_unit

DEMO_SCHOOL_CODE = kaluga.school_code(kaluga.KALUGA, 5)  # МБОУ «СОШ № 5» г. Калуги


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


def seed_demo(session: Session, year: int | None = None) -> SeedResult:
    """Create whatever of the demo is missing, with figures for `year` (by default the
    current academic year); return what was created and what was there already."""
    year = current_academic_year() if year is None else year
    result = SeedResult()
    schools = kaluga.demo_schools()
    units = _seed_units(session, _planned_units(schools), result)
    _seed_figures(session, schools, units, year, result)
    _seed_users(session, units, result)
    session.flush()
    # A fixed seed: the same demo every time it is loaded.
    campaigns = seed_campaigns(session, year, random.Random(1829), DEMO_SCHOOL_CODE)
    result.campaigns_created = campaigns.campaigns_created
    result.responses_filled = campaigns.responses_filled
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


def _planned_units(schools: list[kaluga.SchoolData]) -> list[_PlannedUnit]:
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
        _PlannedUnit(s.code, s.municipality_code, UnitType.SCHOOL, s.name, s.short_name)
        for s in schools
    ]
    planned += [
        _PlannedUnit(u.code, u.parent_code or region, UnitType(u.unit_type), u.name, u.short_name)
        for u in kaluga.OTHER_UNITS
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
        )
        result.units_created += 1
    return units


def _seed_figures(
    session: Session,
    schools: list[kaluga.SchoolData],
    units: dict[str, OrgUnit],
    year: int,
    result: SeedResult,
) -> None:
    """Figures for the schools that have none for the year: a school with some figures
    (typed in or imported) is left as it is."""
    unit_ids = [units[s.code].id for s in schools]
    in_year = (ReferenceFigure.academic_year == year) & ReferenceFigure.unit_id.in_(unit_ids)
    counted = select(ReferenceFigure.unit_id, func.count()).where(in_year)
    present = {
        unit_id: n for unit_id, n in session.execute(counted.group_by(ReferenceFigure.unit_id))
    }
    rows = [
        {
            "unit_id": units[school.code].id,
            "academic_year": year,
            "figure": figure,
            "grade": grade,
            "value": value,
        }
        for school in schools
        if units[school.code].id not in present
        for (figure, grade), value in sorted(kaluga.school_figures(school).items())
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
