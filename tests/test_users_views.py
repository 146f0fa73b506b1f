"""Account administration within one's scope."""

from __future__ import annotations

from sqlalchemy import select

from collector.extensions import db
from collector.models import RoleAssignment, User
from tests.conftest import login_as


def new_user(**overrides: str) -> dict[str, str]:
    data = {
        "username": "petrova",
        "full_name": "Петрова Анна Сергеевна",
        "email": "petrova@example.org",
        "password": "initial password 1",
        "role": "school_respondent",
        "unit_code": "S-A2",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_a_school_account(client, tree, people, auth):
    login_as(client, people["region"])
    response = client.post("/users/new", data=new_user())
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "petrova"))
    assert user is not None and user.full_name == "Петрова Анна Сергеевна"
    assert [(r.role, r.unit_id) for r in user.roles] == [
        ("school_respondent", tree["school_a2"].id)
    ]
    client.post("/logout")
    assert auth.login("petrova", "initial password 1").status_code == 302


def test_account_for_a_unit_outside_scope_is_refused(client, tree, people):
    login_as(client, people["region"])
    response = client.post("/users/new", data=new_user(unit_code="S-X"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Петрова Анна Сергеевна" in body  # typed values are kept
    assert db.session.scalar(select(User).where(User.username == "petrova")) is None


def test_coordinator_cannot_grant_admin(client, tree, people):
    login_as(client, people["region"])
    response = client.post("/users/new", data=new_user(role="admin", unit_code="R1"))
    assert response.status_code == 200
    assert db.session.scalar(select(User).where(User.username == "petrova")) is None


def test_short_password_and_taken_login_are_refused(client, tree, people):
    login_as(client, people["admin"])
    assert client.post("/users/new", data=new_user(password="short")).status_code == 200
    assert client.post("/users/new", data=new_user(username="school")).status_code == 200
    assert db.session.scalar(select(User).where(User.username == "petrova")) is None


def test_grant_and_revoke_a_role(client, tree, people):
    login_as(client, people["region"])
    user = people["school"]
    response = client.post(
        f"/users/{user.id}",
        data={"which": "grant", "grant-role": "school_respondent", "grant-unit_code": "S-B1"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    units = sorted(r.unit.code for r in db.session.get(User, user.id).roles)
    assert units == ["S-A1", "S-B1"]
    assignment = db.session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id, RoleAssignment.unit_id == tree["school_b1"].id
        )
    )
    client.post(f"/users/{user.id}/roles/{assignment.id}/revoke")
    db.session.expire_all()
    assert [r.unit.code for r in db.session.get(User, user.id).roles] == ["S-A1"]


def test_admin_cannot_deactivate_themselves(client, people):
    admin = people["admin"]
    login_as(client, admin)
    response = client.post(
        f"/users/{admin.id}",
        data={"which": "account", "account-full_name": admin.full_name, "account-email": ""},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active_account


def test_deactivated_user_is_logged_out(app, client, people):
    login_as(client, people["admin"])
    school = people["school"]
    other = app.test_client()
    login_as(other, school)
    assert other.get("/").status_code == 200
    client.post(
        f"/users/{school.id}",
        data={"which": "account", "account-full_name": school.full_name, "account-email": ""},
    )
    assert other.get("/").status_code == 302


def test_reset_password_ends_the_users_sessions(app, client, people, auth):
    login_as(client, people["admin"])
    school = people["school"]
    other = app.test_client()
    login_as(other, school)
    response = client.post(
        f"/users/{school.id}",
        data={"which": "password", "password-new_password": "reset pass 12345"},
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 302


def test_a_common_password_is_refused_for_a_new_account(client, tree, people):
    # Issue 19: "1234567890" was accepted as a password.
    login_as(client, people["admin"])
    response = client.post("/users/new", data=new_user(password="qwertyuiop"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "один из самых распространённых" in body
    assert "Петрова Анна Сергеевна" in body  # typed values are kept
    assert db.session.scalar(select(User).where(User.username == "petrova")) is None


def test_a_common_password_is_refused_on_reset(client, people, auth):
    login_as(client, people["admin"])
    school = people["school"]
    response = client.post(
        f"/users/{school.id}",
        data={"which": "password", "password-new_password": "password123"},
    )
    assert response.status_code == 200
    assert "один из самых распространённых" in response.get_data(as_text=True)
    client.post("/logout")
    assert auth.login("school").status_code == 302  # the old password still works
