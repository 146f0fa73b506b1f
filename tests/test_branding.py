"""Issue 23: the department's own logo beside its name on every page, the public ones
first (the login page, a survey, the public registries), set by the installation's
admin (DEPARTMENT_LOGO in instance/config.py or COLLECTOR_DEPARTMENT_LOGO) and served
from this origin; a logo that cannot be served is not shown, never a broken page."""

from __future__ import annotations

import base64
import os

import pytest

from tests.registries.test_records import classes  # noqa: F401  (the fixture)
from tests.surveys.test_survey_links import link_of, make_survey

# A 1 × 1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
LOGO = '<img src="/department-logo" alt="" class="site-logo me-2" data-testid="site-logo">'
PUBLIC = ("/login", "/public/registries/", "/public/registries/test-classes")


@pytest.fixture
def logo(app, tmp_path):
    path = tmp_path / "gerb.png"
    path.write_bytes(PNG)
    app.config["DEPARTMENT_LOGO"] = str(path)
    return path


def test_no_logo_by_default(app, client):
    assert app.config["DEPARTMENT_LOGO"] is None
    assert "site-logo" not in client.get("/login").get_data(as_text=True)
    assert client.get("/department-logo").status_code == 404


def test_the_logo_stands_on_the_public_pages_and_is_served(
    app,
    client,
    tree,
    people,
    logo,
    classes,  # noqa: F811
):
    for path in PUBLIC:
        page = client.get(path).get_data(as_text=True)
        assert f"{LOGO}{app.config['DEPARTMENT_NAME']}</a>" in page, path
    campaign = make_survey(tree, people)
    survey = client.get(f"/s/{link_of(campaign, tree['school_a1']).token}").get_data(as_text=True)
    assert LOGO in survey
    served = client.get("/department-logo")
    assert served.status_code == 200
    assert served.mimetype == "image/png" and served.data == PNG
    assert "max-age=3600" in served.headers["Cache-Control"]


def test_a_logo_relative_to_the_instance_folder(app, client, logo):
    app.config["DEPARTMENT_LOGO"] = os.path.relpath(logo, app.instance_path)
    assert not os.path.isabs(app.config["DEPARTMENT_LOGO"])
    assert LOGO in client.get("/login").get_data(as_text=True)
    assert client.get("/department-logo").data == PNG


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("gerb.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("gerb.png", b"\0" * (1024 * 1024 + 1)),  # past 1 MB
        ("gerb.gif", PNG),
    ],
)
def test_a_logo_that_cannot_be_served_is_not_shown(app, client, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    app.config["DEPARTMENT_LOGO"] = str(path)
    page = client.get("/login")
    assert page.status_code == 200 and "site-logo" not in page.get_data(as_text=True)
    assert client.get("/department-logo").status_code == 404


def test_a_missing_logo_file_is_not_shown(app, client, tmp_path):
    app.config["DEPARTMENT_LOGO"] = str(tmp_path / "nowhere.png")
    assert "site-logo" not in client.get("/login").get_data(as_text=True)
    assert client.get("/department-logo").status_code == 404
