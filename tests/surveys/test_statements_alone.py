"""A survey answer on the app's own engine: on PostgreSQL its statements commit each on
their own (no BEGIN and COMMIT round trips), so the ballot and the answer go in as one
statement, and what one refuses the other does not keep. Committed: the rolled-back
tests' sessions join an outer transaction and keep it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from collector.extensions import db
from collector.models import SurveyBallot
from tests.surveys.test_submission_key import page_key
from tests.surveys.test_survey_links import GOOD, answers_count, link_of, make_survey

pytestmark = pytest.mark.committed


def post(client, path: str, data: dict[str, str]):
    """As on a server, where each request has a session of its own: the test client's
    requests share the test's app context, and with it its session."""
    db.session.remove()
    return client.post(path, data=data)


@pytest.fixture
def autocommit_seen(app):
    """Whether each statement the app's engine sent ran with the driver's autocommit."""
    seen: list[tuple[str, bool]] = []

    def note(conn, _cursor, statement, *_args):
        dbapi = conn.connection.dbapi_connection
        seen.append((statement.split()[0].upper(), bool(getattr(dbapi, "autocommit", False))))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", note)


def test_an_answer_is_a_lookup_and_an_insert_each_committing_alone(
    app, tree, people, autocommit_seen
):
    campaign = make_survey(tree, people, multiple=True)
    token = link_of(campaign, tree["school_a1"]).token
    browser = app.test_client()
    sent = GOOD | {"submission_key": page_key(browser, token)}
    autocommit_seen.clear()
    assert post(browser, f"/s/{token}", sent).status_code == 302
    assert answers_count(campaign) == 1
    postgres = db.engine.dialect.name == "postgresql"
    assert [kind for kind, _ in autocommit_seen][:2] == ["SELECT", "INSERT"]
    assert {alone for _, alone in autocommit_seen[:2]} == {postgres}
    # The pool gives the connection back in transactions, for every other request.
    with db.engine.connect() as connection:
        assert not getattr(connection.connection.dbapi_connection, "autocommit", False)
        connection.exec_driver_sql("SELECT 1")
        assert connection.in_transaction()


def test_a_ballot_goes_in_only_with_its_answer(app, tree, people):
    campaign = make_survey(tree, people)  # one answer per browser: a ballot per answer
    link = link_of(campaign, tree["school_a1"])
    first, second = app.test_client(), app.test_client()
    sent = GOOD | {"submission_key": page_key(first, link.token)}
    assert post(first, f"/s/{link.token}", sent).status_code == 302
    # Another browser sends the same page's key (a copied page): its answer breaks the
    # key's constraint, and its ballot must not stay behind, or it could never answer.
    second.get(f"/s/{link.token}")
    assert post(second, f"/s/{link.token}", sent).status_code == 302
    ballots = db.session.scalar(
        sa.select(sa.func.count()).select_from(SurveyBallot).where(SurveyBallot.link_id == link.id)
    )
    assert answers_count(campaign) == 1 and ballots == 1
    # Its own page is taken.
    own = GOOD | {"submission_key": page_key(second, link.token)}
    assert post(second, f"/s/{link.token}", own).status_code == 302
    assert answers_count(campaign) == 2
