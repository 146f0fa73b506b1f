"""Recommendations after a campaign: proposed to the units that miss (worked by hand on the
two campaigns of tests/analysis/fixtures.py), drafted, edited and sent by the territory's
coordinator, seen on the recipients' start page and acknowledged there.

For Бабынинский район (M-A), 2025 against 2024: S-A2 has no plan (0 < 60, was 100) and
20.0 % trained (was 30.0 %): rec_plan (below the target) and rec_trained (worse than last
year). S-A1 (plan, 30.0 % up from 20.0 %) misses nothing. For the region: M-A's plan
share 50.0 < 60: rec_plan; its trained share rose (23.3 → 26.7), M-B's too.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from collector.analysis import recommendations as recs
from collector.analysis.services import campaign_analysis
from collector.extensions import db
from collector.models import (
    AuditEvent,
    Recommendation,
    RecommendationMail,
    RecommendationState,
    Role,
)
from tests.analysis.fixtures import two_years, with_recommendations
from tests.conftest import login_as


@pytest.fixture
def waves(app, tree, people):
    return two_years(tree, people, with_recommendations())


@pytest.fixture
def school_a2(make_user, tree):
    return make_user(Role.SCHOOL_RESPONDENT, tree["school_a2"], username="school_a2")


def test_the_units_proposed_and_why(tree, people, waves):
    _before, now = waves
    schools = recs.proposals(campaign_analysis(db.session, people["municipal"], now))
    assert [p.unit.code for p in schools] == ["S-A2"]
    assert [r.id for r in schools[0].recommendations] == ["rec_plan", "rec_trained"]
    assert schools[0].misses == [
        ("plan_share", ("below_target",)),
        ("trained_share", ("worse_than_last",)),
    ]
    municipalities = recs.proposals(campaign_analysis(db.session, people["region"], now))
    assert [(p.unit.code, [r.id for r in p.recommendations]) for p in municipalities] == [
        ("M-A", ["rec_plan"])
    ]


def test_drafts_are_made_once_per_unit(tree, people, waves):
    _before, now = waves
    [draft] = recs.make_drafts(db.session, people["municipal"], now)
    db.session.commit()
    assert draft.unit_id == tree["school_a2"].id and draft.status == "draft"
    assert "Разработать и утвердить годовой план" in draft.body
    assert "Расширить участие обучающихся" in draft.body
    assert draft.misses == [
        ["plan_share", ["below_target"]],
        ["trained_share", ["worse_than_last"]],
    ]
    assert recs.make_drafts(db.session, people["municipal"], now) == []
    # The region's drafts go to the municipalities: M-A.
    [to_municipality] = recs.make_drafts(db.session, people["region"], now)
    assert to_municipality.unit_id == tree["mun_a"].id
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("recommendation.draft") == 2


def test_the_cycle_from_draft_to_acknowledgement(client, tree, people, waves, school_a2):
    _before, now = waves
    login_as(client, people["municipal"])
    page = client.get(f"/analysis/campaigns/{now.id}").get_data(as_text=True)
    proposals = page.split('data-testid="proposals"')[1].split("</table>")[0]
    assert 'data-group="S-A2"' in proposals and 'data-recommendation="rec_trained"' in proposals
    reply = client.post(f"/analysis/campaigns/{now.id}/recommendations?unit={tree['mun_a'].id}")
    assert reply.status_code == 302
    draft = db.session.scalar(select(Recommendation))
    assert draft is not None
    # Not yet sent: the school does not see it.
    login_as(client, school_a2)
    assert client.get(f"/analysis/recommendations/{draft.id}").status_code == 404
    assert 'data-testid="my-recommendations"' not in client.get("/").get_data(as_text=True)
    # An empty title is refused beside the field; the text typed stays.
    login_as(client, people["municipal"])
    typed = "Исправленный текст рекомендации для школы."
    refused = client.post(
        f"/analysis/recommendations/{draft.id}",
        data={"title": "  ", "body": typed, "action": "send"},
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Укажите заголовок рекомендации." in html and typed in html
    db.session.refresh(draft)
    assert draft.status == "draft"
    sent = client.post(
        f"/analysis/recommendations/{draft.id}",
        data={"title": "Рекомендации по итогам мониторинга", "body": typed, "action": "send"},
    )
    assert sent.status_code == 302
    db.session.refresh(draft)
    assert (draft.status, draft.body) == ("sent", typed) and draft.sent_at is not None
    # The school sees it on its start page, reads and acknowledges it.
    login_as(client, school_a2)
    home = client.get("/").get_data(as_text=True)
    assert "Рекомендации по итогам мониторинга" in home.split('data-testid="my-recommendations"')[1]
    page = client.get(f"/analysis/recommendations/{draft.id}").get_data(as_text=True)
    assert typed in page and 'data-testid="acknowledge"' in page
    done = client.post(f"/analysis/recommendations/{draft.id}", data={"action": "acknowledge"})
    assert done.status_code == 302
    db.session.refresh(draft)
    assert draft.status == "acknowledged" and draft.acknowledged_by == school_a2.id
    # A sent recommendation is not changed any more.
    login_as(client, people["municipal"])
    again = client.post(
        f"/analysis/recommendations/{draft.id}",
        data={"title": "Другое", "body": "Другой текст", "action": "save"},
    )
    assert again.status_code == 403
    db.session.refresh(draft)
    assert draft.body == typed


def test_others_neither_see_nor_act(client, tree, people, waves, school_a2):
    _before, now = waves
    [draft] = recs.make_drafts(db.session, people["municipal"], now)
    recs.send(db.session, people["municipal"], draft)
    db.session.commit()
    # Another school (S-A1), the other region: not found. A school makes no drafts.
    for person in ("school", "other_region"):
        login_as(client, people[person])
        assert client.get(f"/analysis/recommendations/{draft.id}").status_code == 404
        assert 'data-testid="my-recommendations"' not in client.get("/").get_data(as_text=True)
    login_as(client, people["school"])
    assert client.post(f"/analysis/campaigns/{now.id}/recommendations").status_code in (403, 404)
    # The region's coordinator reads it but, not its recipient, cannot acknowledge it.
    login_as(client, people["region"])
    assert client.get(f"/analysis/recommendations/{draft.id}").status_code == 200
    reply = client.post(f"/analysis/recommendations/{draft.id}", data={"action": "acknowledge"})
    assert reply.status_code == 403
    db.session.refresh(draft)
    assert draft.status == "sent"


def test_stored_misses_of_any_shape_show(client, tree, people, waves):
    """Misses written around the doors: an entry of another shape is left out, a reason
    no longer known stands as stored, the known ones are worded — never a 500."""
    _before, now = waves
    [draft] = recs.make_drafts(db.session, people["municipal"], now)
    draft.misses = [["trained_share", ["below_target", "gone_reason"]], 5, ["x"], "abc", [1, 2]]
    db.session.commit()
    login_as(client, people["municipal"])
    reply = client.get(f"/analysis/recommendations/{draft.id}")
    assert reply.status_code == 200
    misses = reply.get_data(as_text=True).split('data-testid="recommendation-misses"')[1]
    misses = misses.split("</ul>")[0]
    assert misses.count("<li") == 1
    assert "Доля прошедших пробы: ниже целевого значения, gone_reason<" in misses
    draft.misses = {"trained_share": "below_target"}
    db.session.commit()
    reply = client.get(f"/analysis/recommendations/{draft.id}")
    assert reply.status_code == 200 and "recommendation-misses" not in reply.get_data(as_text=True)


def test_a_recommendation_sent_meanwhile_is_not_sent_again(tree, people, waves, school_a2):
    """Two sendings at once: the other has sent it since this one read it as a draft.
    This one is refused and records no mail (its recipients would be mailed twice)."""
    _before, now = waves
    [draft] = recs.make_drafts(db.session, people["municipal"], now)
    db.session.commit()
    db.session.execute(
        update(Recommendation)
        .where(Recommendation.id == draft.id)
        .values(status=RecommendationState.SENT)
        .execution_options(synchronize_session=False)
    )
    assert draft.status == RecommendationState.DRAFT  # as this sending read it
    with pytest.raises(recs.RecommendationRefused):
        recs.send(db.session, people["municipal"], draft)
    assert db.session.scalar(select(func.count()).select_from(RecommendationMail)) == 0
