"""A report's data stamp changes with every change of its campaign's responses, however
it is made: the ORM's flush, a bulk insert, the survey's bare insert on the connection,
a deletion, a response moved to another campaign. The database counts them itself
(CampaignDataVersion, triggers of migration 0023), so that a view reads one row instead
of counting a national campaign's million responses (issue 22)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, delete, insert, select, update

from collector.extensions import db
from collector.models import FormResponse
from collector.reports.services import data_stamp
from tests.reports.fixtures import answered_campaign


def _one_of(campaign) -> FormResponse:
    return db.session.scalar(
        select(FormResponse).where(FormResponse.campaign_id == campaign.id).limit(1)
    )


def _row_like(response: FormResponse, **changes) -> dict:
    row = {
        "form_version_id": response.form_version_id,
        "form_id": response.form_id,
        "unit_id": response.unit_id,
        "campaign_id": response.campaign_id,
        "status": "submitted",
        "answers": {"has_plan": True, "trained": 1, "total": 2},
        "revision": 1,
        "late": False,
    }
    return row | changes


def _changes_stamp(campaign, change) -> None:
    before = data_stamp(db.session, campaign)
    change()
    db.session.commit()
    after = data_stamp(db.session, campaign)
    assert after != before, change.__name__


def test_every_way_of_changing_responses_changes_the_stamp(app, tree, people):
    campaign = answered_campaign(tree, people)
    response = _one_of(campaign)

    def orm_update() -> None:
        _one_of(campaign).answers = {"has_plan": False, "trained": 0, "total": 1}

    def orm_insert() -> None:
        db.session.add(FormResponse(**_row_like(response)))

    def bulk_insert() -> None:
        db.session.execute(insert(FormResponse), [_row_like(response), _row_like(response)])

    def bare_insert_on_the_connection() -> None:  # as a parent's survey answer is stored
        table = cast(Table, FormResponse.__table__)
        db.session.connection().execute(table.insert(), _row_like(response))

    def bulk_update_of_nothing_changed_in_value() -> None:
        db.session.execute(
            update(FormResponse)
            .where(FormResponse.id == response.id)
            .values(status=FormResponse.status)
        )

    def deletion() -> None:
        db.session.execute(
            delete(FormResponse).where(
                FormResponse.campaign_id == campaign.id, FormResponse.id != response.id
            )
        )

    for change in (
        orm_update,
        orm_insert,
        bulk_insert,
        bare_insert_on_the_connection,
        bulk_update_of_nothing_changed_in_value,
        deletion,
    ):
        _changes_stamp(campaign, change)


def test_a_response_moved_changes_both_campaigns_stamps_and_others_stay(app, tree, people):
    first = answered_campaign(tree, people)
    second = answered_campaign(tree, people)
    untouched = answered_campaign(tree, people)
    stamps = {c.id: data_stamp(db.session, c) for c in (first, second, untouched)}
    moved = _one_of(first)
    moved.campaign_id = second.id
    db.session.commit()
    assert data_stamp(db.session, first) != stamps[first.id]
    assert data_stamp(db.session, second) != stamps[second.id]
    assert data_stamp(db.session, untouched) == stamps[untouched.id]


def test_a_response_outside_any_campaign_is_stored_and_counts_for_none(app, tree, people):
    campaign = answered_campaign(tree, people)
    before = data_stamp(db.session, campaign)
    db.session.add(FormResponse(**_row_like(_one_of(campaign), campaign_id=None)))
    db.session.commit()
    assert data_stamp(db.session, campaign) == before


def test_a_stamp_never_comes_back_after_a_restore(app, tree, people):
    """A backup restored brings back the marks it was taken with; the changes after it
    draw new ones, never a stamp a snapshot was kept with before the restore (a count
    would come back to it: the figures of lost answers shown as fresh)."""
    from collector.models import CampaignDataVersion

    campaign = answered_campaign(tree, people)
    table = CampaignDataVersion.__table__
    at_backup = [row._asdict() for row in db.session.execute(select(table))]
    _one_of(campaign).answers = {"has_plan": True, "trained": 5, "total": 9}
    db.session.commit()
    kept_with = data_stamp(db.session, campaign)
    db.session.execute(delete(table))
    db.session.execute(insert(table), at_backup)
    db.session.commit()
    _one_of(campaign).answers = {"has_plan": False, "trained": 1, "total": 9}
    db.session.commit()
    assert data_stamp(db.session, campaign) != kept_with
