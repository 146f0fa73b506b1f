"""Managing accounts and roles within the acting user's scope."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from collector.audit import record
from collector.auth.permissions import Action, Grant, allowed
from collector.auth.services import (
    can,
    grants_of,
    normalise_username,
    password_problem,
    scope_clause,
)
from collector.errors import ActionForbidden, NotInScope
from collector.models import OrgUnit, Role, RoleAssignment, User

PAGE_SIZE = 50


class UserChangeError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _reaches(actor: User, assignment: RoleAssignment) -> bool:
    """May the actor hand out or take back this role on this unit?"""
    grants = grants_of(actor)
    action = Action.GRANT_ADMIN if assignment.role == Role.ADMIN else Action.MANAGE_USERS
    return allowed(grants, action, assignment.unit_path)


def may_manage(actor: User, user: User) -> bool:
    """Every role the user holds must lie in the actor's reach; an account with no role
    belongs to whoever may grant admin installation-wide."""
    if not user.roles:
        return allowed(grants_of(actor), Action.GRANT_ADMIN, "")
    return all(_reaches(actor, a) for a in user.roles)


def manageable_users(actor: User, search: str = "", unit: OrgUnit | None = None) -> Select[User]:
    """Users with a role in the actor's user-management scope (below `unit` when given;
    everyone for an installation-wide admin); `may_manage` decides per user whether
    they can be changed."""
    query = select(User)
    installation_admin = allowed(grants_of(actor), Action.GRANT_ADMIN, "")
    if unit is not None or not installation_admin:
        in_scope = scope_clause(actor, Action.MANAGE_USERS)
        if unit is not None:
            in_scope = in_scope & unit.subtree_clause()
        query = query.where(
            exists(
                select(RoleAssignment.id)
                .join(OrgUnit, OrgUnit.id == RoleAssignment.unit_id)
                .where(RoleAssignment.user_id == User.id, in_scope)
            )
        )
    if search:
        needle = f"%{search.lower()}%"
        query = query.where(
            func.lower(User.username).like(needle) | func.lower(User.full_name).like(needle)
        )
    return query.order_by(User.full_name)


def get_user(session: Session, actor: User, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not may_manage(actor, user):
        raise NotInScope(user_id)
    return user


def create_user(
    session: Session,
    actor: User,
    *,
    username: str,
    full_name: str,
    email: str | None,
    password: str,
    role: Role,
    unit: OrgUnit | None,
) -> User:
    username = normalise_username(username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserChangeError("username", _("This login is taken."))
    problem = password_problem(password, username)
    if problem:
        raise UserChangeError("password", problem)
    user = User(username=username, full_name=full_name, email=email or None)
    user.set_password(password)
    session.add(user)
    grant_role(session, actor, user, role, unit)
    record(session, actor, "user.create", user, username=username)
    return user


def update_user(
    session: Session,
    actor: User,
    user: User,
    *,
    full_name: str,
    email: str | None,
    is_active: bool,
) -> None:
    if not may_manage(actor, user):
        raise NotInScope(user.id)
    if user.id == actor.id and not is_active:
        raise UserChangeError("is_active", _("You cannot deactivate your own account."))
    user.full_name, user.email, user.is_active_account = full_name, email or None, is_active
    record(session, actor, "user.update", user, full_name=full_name, active=is_active)


def reset_password(session: Session, actor: User, user: User, password: str) -> None:
    if not may_manage(actor, user):
        raise NotInScope(user.id)
    problem = password_problem(password, user.username)
    if problem:
        raise UserChangeError("new_password", problem)
    user.set_password(password)
    record(session, actor, "user.reset_password", user)


def grant_role(
    session: Session, actor: User, user: User, role: Role, unit: OrgUnit | None
) -> RoleAssignment:
    assignment = RoleAssignment(role=role.value, unit=unit)
    if unit is None and role != Role.ADMIN:
        raise UserChangeError("unit_code", _("This role needs an organisation."))
    if unit is not None and not can(actor, Action.VIEW_UNIT, unit):
        raise UserChangeError("unit_code", _("No organisation with this code in your scope."))
    if not _reaches(actor, assignment):
        raise UserChangeError("role", _("You may not grant this role there."))
    if any(a.role == role.value and a.unit_id == (unit.id if unit else None) for a in user.roles):
        raise UserChangeError("role", _("The user already has this role there."))
    user.roles.append(assignment)
    session.flush()
    record(session, actor, "role.grant", user, role=role.value, unit_id=assignment.unit_id)
    return assignment


def revoke_role(session: Session, actor: User, user: User, assignment_id: int) -> None:
    assignment = next((a for a in user.roles if a.id == assignment_id), None)
    if assignment is None or not _reaches(actor, assignment):
        raise ActionForbidden(Action.MANAGE_USERS)
    if user.id == actor.id and assignment.role == Role.ADMIN:
        raise UserChangeError("role", _("You cannot take away your own administrator role."))
    user.roles.remove(assignment)
    record(session, actor, "role.revoke", user, role=assignment.role, unit_id=assignment.unit_id)


def unit_by_code(session: Session, code: str) -> OrgUnit | None:
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code.strip()))


def grantable_roles(actor: User) -> list[Role]:
    grants: list[Grant] = grants_of(actor)
    roles: list[Role] = [r for r in Role if r != Role.ADMIN]
    if any(allowed([g], Action.GRANT_ADMIN, g.unit_path) for g in grants):
        roles.insert(0, Role.ADMIN)
    return roles
