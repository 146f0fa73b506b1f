from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from collector.forms import SelectChoice, TrimmedForm
from collector.labels import ROLE_LABELS
from collector.models import Role


class RoleFieldsMixin:
    role = SelectField(_l("Role"), choices=[])
    unit_code = StringField(
        _l("Organisation code"),
        validators=[Optional(), Length(max=64)],
        description=_l(
            "The code shown on the organisation's page. Empty only for an "
            "installation-wide administrator."
        ),
    )

    def set_role_choices(self, roles: list[Role]) -> None:
        self.role.choices = [SelectChoice(r.value, ROLE_LABELS[r.value]) for r in roles]


class NewUserForm(RoleFieldsMixin, TrimmedForm):
    username = StringField(
        _l("Login"),
        validators=[
            DataRequired(),
            Length(min=3, max=120),
            Regexp(r"^[A-Za-z0-9._@-]+$", message=_l("Latin letters, digits and . _ @ - only.")),
        ],
    )
    full_name = StringField(_l("Full name (person)"), validators=[DataRequired(), Length(max=300)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l(
            "At least 10 characters and not a common password; a phrase of a few unrelated "
            "words is strong and easy to remember."
        ),
    )


class EditUserForm(TrimmedForm):
    full_name = StringField(_l("Full name (person)"), validators=[DataRequired(), Length(max=300)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    is_active = BooleanField(_l("Account active"))


class GrantRoleForm(RoleFieldsMixin, TrimmedForm):
    pass


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l(
            "At least 10 characters and not a common password; a phrase of a few unrelated "
            "words is strong and easy to remember."
        ),
    )
