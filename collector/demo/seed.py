"""`seed_demo`: load the demo Kaluga region, its figures and one demo user per role.
Idempotent: units are matched by code, users by login; nothing is made twice."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from collector.demo import kaluga
from collector.demo.figures import school_figures
from collector.models import OrgUnit, ReferenceFigure, Role, RoleAssignment, UnitType, User
from collector.units.services import current_academic_year
from collector.units.tree import add_unit


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    unit_code: str | None
    full_name: str
    description: str


DEMO_LOGINS = (
    DemoLogin(
        "admin",
        "demo-admin-2026",
        Role.ADMIN,
        None,
        "Соколова Ирина Викторовна",
        "администратор всей системы",
    ),
    DemoLogin(
        "region",
        "demo-region-2026",
        Role.REGIONAL_COORDINATOR,
        kaluga.REGION_CODE,
        "Морозов Андрей Павлович",
        "региональный координатор, Калужская область",
    ),
    DemoLogin(
        "kaluga",
        "demo-kaluga-2026",
        Role.MUNICIPAL_COORDINATOR,
        "40-M-25",
        "Лебедева Ольга Николаевна",
        "муниципальный координатор, г. Калуга",
    ),
    DemoLogin(
        "obninsk",
        "demo-obninsk-2026",
        Role.MUNICIPAL_COORDINATOR,
        "40-M-26",
        "Григорьев Сергей Иванович",
        "муниципальный координатор, г. Обнинск",
    ),
    DemoLogin(
        "school",
        "demo-school-2026",
        Role.SCHOOL_RESPONDENT,
        "40-S-0222",
        "Кузнецова Мария Андреевна",
        "ответственный от школы, г. Калуга",
    ),
)


@dataclass
class SeedResult:
    units_created: int = 0
    figures_created: int = 0
    users_created: int = 0
    logins: list[DemoLogin] = field(default_factory=lambda: list(DEMO_LOGINS))

    @property
    def created_anything(self) -> bool:
        return bool(self.units_created or self.figures_created or self.users_created)


def _units(session: Session, result: SeedResult) -> dict[str, OrgUnit]:
    municipalities = kaluga.municipalities()
    schools = kaluga.all_schools()
    others = kaluga.other_units()
    codes = [kaluga.REGION_CODE] + [m.code for m in municipalities]
    codes += [u.code for u in schools + others]
    units = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}

    def ensure(
        code: str, parent_code: str | None, unit_type: UnitType, name: str, **attributes: object
    ) -> None:
        if code in units:
            return
        parent = units[parent_code] if parent_code else None
        units[code] = add_unit(
            session, parent=parent, unit_type=unit_type, code=code, name=name, **attributes
        )
        result.units_created += 1

    ensure(
        kaluga.REGION_CODE,
        None,
        UnitType.REGION,
        kaluga.REGION_NAME,
        timezone=kaluga.REGION_TIMEZONE,
    )
    for m in municipalities:
        ensure(m.code, kaluga.REGION_CODE, UnitType.MUNICIPALITY, m.name, short_name=m.short_name)
    for unit in schools + others:
        ensure(unit.code, unit.parent_code, unit.unit_type, unit.name, short_name=unit.short_name)
    return units


def _figures(session: Session, units: dict[str, OrgUnit], year: int, result: SeedResult) -> None:
    with_figures = set(
        session.scalars(
            select(ReferenceFigure.unit_id).where(ReferenceFigure.academic_year == year)
        )
    )
    rows = [
        {
            "unit_id": units[school.code].id,
            "academic_year": year,
            "figure": figure,
            "grade": grade,
            "value": value,
        }
        for school in kaluga.all_schools()
        if units[school.code].id not in with_figures
        for (figure, grade), value in school_figures(school).items()
    ]
    if rows:
        session.execute(insert(ReferenceFigure), rows)
    result.figures_created = len(rows)


def _users(session: Session, units: dict[str, OrgUnit], result: SeedResult) -> None:
    usernames = [login.username for login in DEMO_LOGINS]
    existing = set(session.scalars(select(User.username).where(User.username.in_(usernames))))
    for login in DEMO_LOGINS:
        if login.username in existing:
            continue
        user = User(username=login.username, full_name=login.full_name)
        user.set_password(login.password)
        unit = units[login.unit_code] if login.unit_code else None
        user.roles.append(RoleAssignment(role=login.role.value, unit=unit))
        session.add(user)
        result.users_created += 1


def seed_demo(session: Session, year: int | None = None) -> SeedResult:
    """Builds what is missing of the demo, with figures for `year` (by default the current
    academic year); the caller commits."""
    result = SeedResult()
    units = _units(session, result)
    _figures(session, units, year or current_academic_year(), result)
    _users(session, units, result)
    session.flush()
    return result
