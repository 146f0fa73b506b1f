"""Kept report views: two first views at once each write their own file (neither a 500
nor a half-written file in place), and a view that cannot be kept is still shown."""

from __future__ import annotations

import threading
import time

from flask import Flask

from collector.reports import snapshots


class SlowToKeep:
    """Pickled slowly, as a large campaign's question tables are."""

    def __reduce__(self) -> tuple[type, tuple[()]]:
        time.sleep(0.3)
        return (SlowToKeep, ())


def test_two_first_views_at_once_both_get_their_view(tmp_path):
    app = Flask(__name__)
    app.config["JOB_FOLDER"] = str(tmp_path)
    errors: list[str] = []
    got: list[object] = []

    def view(delay: float) -> None:
        time.sleep(delay)
        with app.app_context():
            try:
                got.append(snapshots.remembered(1, "accepted", ["/1/"], "s1", ("q", 7), SlowToKeep))
            except Exception as error:  # noqa: BLE001 - the test reports any
                errors.append(repr(error))

    threads = [threading.Thread(target=view, args=(delay,)) for delay in (0, 0.1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(got) == 2
    assert not list(tmp_path.rglob("*.partial"))
    with app.app_context():
        kept = snapshots.remembered(1, "accepted", ["/1/"], "s1", ("q", 7), lambda: "anew")
    assert isinstance(kept, SlowToKeep)  # read back, not computed again


def test_a_view_that_cannot_be_kept_is_still_given(tmp_path):
    app = Flask(__name__)
    app.config["JOB_FOLDER"] = str(tmp_path)
    with app.app_context():
        shown = snapshots.remembered(1, "accepted", ["/1/"], "s1", ("q",), lambda: lambda: 1)
    assert callable(shown)  # a lambda cannot be pickled; the page still has its value


def test_a_new_snapshot_clears_the_views_of_the_old_one(tmp_path):
    app = Flask(__name__)
    app.config["JOB_FOLDER"] = str(tmp_path)
    with app.app_context():
        snapshots.remembered(1, "accepted", ["/1/"], "s1", ("q",), lambda: "old")
        assert len(list(tmp_path.rglob("*.pickle"))) == 1
        snapshots.save(1, "accepted", ["/1/"], "s2", ("figures",))
        assert len(list(tmp_path.rglob("*.pickle"))) == 1  # the snapshot alone
        assert snapshots.remembered(1, "accepted", ["/1/"], "s2", ("q",), lambda: "new") == "new"


def test_the_latest_figures_are_of_this_campaign_only(app, campaign, people):
    from collector.reports.services import Basis, campaign_report, latest_report
    from collector.reports.services import data_stamp as stamp_of

    region = people["region"]
    report = campaign_report(db_session(), region, campaign, Basis.ACCEPTED)
    found = latest_report(db_session(), region, campaign, Basis.ACCEPTED)
    assert found is not None
    kept, computed_at = found
    assert kept.stamp == report.stamp == stamp_of(db_session(), campaign)
    assert computed_at.tzinfo is not None
    region_id = region.roles[0].unit_id
    shown = report.value("plan_share", region_id)
    assert shown is not None and kept.value("plan_share", region_id) == shown
    # A file left by a deleted campaign whose id this one took: never shown for it.
    scopes = kept.scopes
    content = snapshots.load(campaign.id, Basis.ACCEPTED.value, scopes, kept.stamp)
    snapshots.save(campaign.id, Basis.ACCEPTED.value, scopes, "1999-01-01:1:" + kept.stamp, content)
    assert latest_report(db_session(), region, campaign, Basis.ACCEPTED) is None


def db_session():
    from collector.extensions import db

    return db.session()


def test_a_kept_report_reads_its_figures_only_when_a_view_asks(app, campaign, people, tree):
    """The reference figures are kept beside the snapshot and read only by a view that
    computes again (a page of the kept figures and the export need none); when they are
    gone from there, from the database."""
    from pathlib import Path

    import pandas as pd

    from collector.models import ReferenceFigure
    from collector.reports.services import Basis, campaign_report

    region = people["region"]
    db_session().add(
        ReferenceFigure(
            unit_id=tree["school_a1"].id,
            academic_year=campaign.academic_year,
            figure="pupils",
            grade=9,
            value=120,
        )
    )
    db_session().commit()
    computed = campaign_report(db_session(), region, campaign, Basis.ACCEPTED)
    assert computed.figures is not None
    assert computed.figures[["figure", "grade", "value"]].values.tolist() == [["pupils", 9, 120]]
    kept = campaign_report(db_session(), region, campaign, Basis.ACCEPTED)
    assert kept._figures is None  # not read with the snapshot
    pd.testing.assert_frame_equal(kept.figures, computed.figures)
    for beside in Path(app.config["JOB_FOLDER"]).rglob("*.columns"):
        beside.unlink()
    again = campaign_report(db_session(), region, campaign, Basis.ACCEPTED)
    pd.testing.assert_frame_equal(again.figures, computed.figures)


def _kept_app(tmp_path, megabytes: float) -> Flask:
    app = Flask(__name__)
    app.config["JOB_FOLDER"] = str(tmp_path)
    app.config["REPORT_MEMORY_MB"] = megabytes
    snapshots.read_lately.clear()
    return app


def test_a_snapshot_read_once_is_not_read_again_for_the_same_data(tmp_path):
    """The figures of one data stamp never change: the next view takes them from the
    process, not from the file (here gone), and never for another stamp."""
    app = _kept_app(tmp_path, 1)
    with app.app_context():
        snapshots.save(1, "accepted", ["/1/"], "s1", ("figures", 1))
        assert snapshots.load(1, "accepted", ["/1/"], "s1") == ("figures", 1)
        for kept in tmp_path.rglob("*.pickle"):
            kept.unlink()
        assert snapshots.load(1, "accepted", ["/1/"], "s1") == ("figures", 1)
        assert snapshots.load(1, "accepted", ["/1/"], "s2") is None
        assert snapshots.load(1, "accepted", ["/2/"], "s1") is None  # other scopes
        # A view remembered is taken from the process too, and computed for a new stamp.
        assert snapshots.remembered(1, "accepted", ["/1/"], "s1", ("q",), lambda: "view") == "view"
        for kept in tmp_path.rglob("*.pickle"):
            kept.unlink()
        assert snapshots.remembered(1, "accepted", ["/1/"], "s1", ("q",), lambda: "anew") == "view"
        assert snapshots.remembered(1, "accepted", ["/1/"], "s2", ("q",), lambda: "anew") == "anew"


def test_what_is_kept_in_the_process_stays_within_its_budget(tmp_path):
    """Past REPORT_MEMORY_MB the least lately used goes; 0 keeps nothing; a newer
    stamp's content of the same file puts out the older one's."""
    app = _kept_app(tmp_path, 0)
    with app.app_context():
        snapshots.save(1, "accepted", ["/1/"], "s1", "small")
        assert snapshots.load(1, "accepted", ["/1/"], "s1") == "small"
        for kept in tmp_path.rglob("*.pickle"):
            kept.unlink()
        assert snapshots.load(1, "accepted", ["/1/"], "s1") is None  # read from the file

    app = _kept_app(tmp_path, 0.5)  # 524,288 bytes
    big = "x" * 200_000
    with app.app_context():
        for campaign in (1, 2, 3):
            snapshots.save(campaign, "accepted", ["/1/"], "s1", big + str(campaign))
            assert snapshots.load(campaign, "accepted", ["/1/"], "s1") == big + str(campaign)
        for kept in tmp_path.rglob("*.pickle"):
            kept.unlink()
        assert snapshots.load(1, "accepted", ["/1/"], "s1") is None  # the first put out
        assert snapshots.load(2, "accepted", ["/1/"], "s1") == big + "2"
        assert snapshots.load(3, "accepted", ["/1/"], "s1") == big + "3"
        snapshots.save(3, "accepted", ["/1/"], "s2", "newer")
        assert snapshots.load(3, "accepted", ["/1/"], "s2") == "newer"
        third = str(snapshots._path(3, "accepted", ["/1/"]))
        assert [key[1] for key in snapshots.read_lately._found if key[0] == third] == ["s2"]


def test_a_snapshot_written_anew_is_read_anew(tmp_path):
    """A file written again for the same stamp (one of an older shape was rejected and
    computed again) is not answered from what this process read of it before; nor are
    its views."""
    app = _kept_app(tmp_path, 1)
    with app.app_context():
        snapshots.save(1, "accepted", ["/1/"], "s1", ("older shape",))
        assert snapshots.load(1, "accepted", ["/1/"], "s1") == ("older shape",)
        assert snapshots.remembered(1, "accepted", ["/1/"], "s1", ("q",), lambda: "old") == "old"
        snapshots.save(1, "accepted", ["/1/"], "s1", ("figures",))
        assert snapshots.load(1, "accepted", ["/1/"], "s1") == ("figures",)
        assert snapshots.remembered(1, "accepted", ["/1/"], "s1", ("q",), lambda: "new") == "new"


def test_a_snapshot_of_an_older_shape_is_of_no_data_stamp(app, campaign, people, monkeypatch):
    """After an upgrade that changes what a snapshot holds, the kept one is not taken
    for fresh: a large campaign's page starts the job that computes it again, instead of
    computing a million answers inside the request."""
    from collector.reports import services
    from collector.reports.jobs import too_large_to_compute_now
    from collector.reports.services import Basis, campaign_report, data_stamp

    region = people["region"]
    with monkeypatch.context() as older:
        older.setattr(services, "SNAPSHOT_FORMAT", services.SNAPSHOT_FORMAT - 1)
        kept = campaign_report(db_session(), region, campaign, Basis.ACCEPTED)
        stamp = data_stamp(db_session(), campaign)
        assert not too_large_to_compute_now(
            db_session(), region, campaign, Basis.ACCEPTED, 0, stamp
        )
    stamp = data_stamp(db_session(), campaign)
    assert stamp != kept.stamp
    assert too_large_to_compute_now(db_session(), region, campaign, Basis.ACCEPTED, 0, stamp)
    assert campaign_report(db_session(), region, campaign, Basis.ACCEPTED).stamp == stamp
