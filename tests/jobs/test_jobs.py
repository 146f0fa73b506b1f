"""Jobs through both dispatchers: a local thread (no Redis configured) and RQ on the
Redis server at 127.0.0.1:6379; progress as the page sees it, the file, the failure path,
a job whose worker died, the same work asked twice, files removed after their time, and
who may see a job."""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from collector.extensions import db
from collector.jobs.registry import JobFailed, JobResult, job_kinds, register_job_kinds
from collector.jobs.services import start_job, sweep
from collector.models import Job
from collector.models.base import utcnow
from tests.conftest import login_as, need_service

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
STEPS = 3
# The jobs run in worker threads (or an RQ worker), on connections of their own: they must
# see what the tests committed.
pytestmark = pytest.mark.committed

GATES: dict[str, threading.Event] = {}


def steps_job(context, params):
    """Counts to STEPS, waiting at each step for the test to let it go on (when a gate
    is given), and writes what it counted."""
    gate = GATES.get(params.get("gate", ""))
    for step in range(1, STEPS + 1):
        if gate is not None:
            assert gate.wait(10)
            gate.clear()
        context.progress("Счёт", step, STEPS)
        context.log(f"step {step}")
    path = context.folder / "steps.txt"
    path.write_text(f"{params['word']} {STEPS}", encoding="utf-8")
    return JobResult(path, "шаги.txt", "text/plain; charset=utf-8")


def failing_job(context, params):
    context.progress("Проверка", 1, 2)
    if params.get("plain"):
        raise JobFailed("В файле нет ни одной строки.")
    raise RuntimeError("disk full")


@pytest.fixture(autouse=True)
def toy_kinds(app):
    """The toy kinds are the app's as the factory names the real ones."""
    register_job_kinds(app, {"test_steps": steps_job, "test_fails": failing_job})


def test_the_app_factory_names_every_job_kind_the_features_start(app):
    assert {
        "units_import",
        "campaign_export",
        "campaign_indicators",
        "campaign_import",
        "campaign_reminders",
    } <= set(job_kinds(app))


def wait(client, job_id: str, states=("done", "failed"), seconds: float = 10) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        status = client.get(f"/jobs/{job_id}/status").get_json()
        if status["state"] in states or time.monotonic() > deadline:
            return status
        time.sleep(0.02)


def test_the_thread_runner_reports_progress_and_offers_the_file(app, client, people):
    app.config["JOB_PROGRESS_EVERY"] = 0  # every step reaches the page
    gate = GATES.setdefault("thread", threading.Event())
    user = people["region"]
    login_as(client, user)
    job = start_job(
        db.session, user, "test_steps", {"word": "готово", "gate": "thread"}, title="Шаги"
    )
    seen = []
    for _ in range(STEPS):
        gate.set()
        status = wait(client, job.id, states=("running", "done"))
        deadline = time.monotonic() + 5
        # Wait for this step's progress: the job may show "running" before its first
        # step reports (a busy machine), and a step is seen once.
        previous = seen[-1][0] if seen else 0
        while (status["done"] or 0) <= previous and time.monotonic() < deadline:
            time.sleep(0.02)
            status = client.get(f"/jobs/{job.id}/status").get_json()
        seen.append((status["done"], status["total"]))
    final = wait(client, job.id)
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert final["state"] == "done" and final["percent"] == 100
    download = client.get(final["download"])
    assert download.data.decode("utf-8") == "готово 3"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'data-testid="job-progress"' in page and "Шаги" in page


@pytest.mark.parametrize(
    ("plain", "shown"),
    [(True, "В файле нет ни одной строки."), (False, "Работа не выполнена из-за ошибки")],
)
def test_a_failure_is_told_in_plain_words_and_logged(app, client, people, plain, shown):
    user = people["region"]
    login_as(client, user)
    job = start_job(db.session, user, "test_fails", {"plain": plain}, title="Импорт")
    status = wait(client, job.id)
    assert status["state"] == "failed" and status["message"].startswith(shown)
    stored = db.session.get(Job, job.id)
    db.session.refresh(stored)
    expected = "JobFailed" if plain else "RuntimeError: disk full"
    assert expected in stored.log
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    # A coordinator reads the message, never the traceback or a server path.
    assert shown in page and "Traceback" not in page and "disk full" not in page
    assert ".py" not in page


def test_a_failed_jobs_traceback_goes_to_the_log_and_to_admins_only(app, client, people, caplog):
    user = people["admin"]
    login_as(client, user)
    job = start_job(db.session, user, "test_fails", {"plain": False}, title="Импорт")
    status = wait(client, job.id)
    assert status["state"] == "failed" and "Traceback" not in status["message"]
    assert any("disk full" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Traceback" in page and "disk full" in page


def test_a_job_whose_worker_died_is_failed_not_left_running(app, client, people):
    user = people["region"]
    login_as(client, user)
    dead = Job(
        id=uuid.uuid4().hex,
        kind="test_steps",
        params={},
        title="Выгрузка",
        progress={"stage": "Ответы", "done": 10, "total": 100},
        state="running",
        created_by=user.id,
        started_at=utcnow() - timedelta(minutes=10),
        heartbeat_at=utcnow() - timedelta(minutes=5),
    )
    db.session.add(dead)
    db.session.commit()
    status = client.get(f"/jobs/{dead.id}/status").get_json()
    assert status["state"] == "failed"
    assert "остановился" in status["message"]


def test_the_same_work_asked_twice_while_running_is_one_job(app, client, people):
    gate = GATES.setdefault("twice", threading.Event())
    user = people["region"]
    login_as(client, user)
    params = {"word": "раз", "gate": "twice"}
    first = start_job(db.session, user, "test_steps", params, title="Шаги", dedupe_key="same")
    second = start_job(db.session, user, "test_steps", params, title="Шаги", dedupe_key="same")
    assert second.id == first.id
    for _ in range(STEPS):
        gate.set()
        time.sleep(0.05)
    gate.set()
    assert wait(client, first.id)["state"] == "done"
    third = start_job(
        db.session, user, "test_steps", {"word": "два"}, title="Шаги", dedupe_key="same"
    )
    assert third.id != first.id  # the first has finished: the same work may run again
    assert wait(client, third.id)["state"] == "done"


def test_files_are_removed_after_their_time(app, client, people):
    user = people["region"]
    login_as(client, user)
    job = start_job(db.session, user, "test_steps", {"word": "старое"}, title="Шаги")
    status = wait(client, job.id)
    stored = db.session.get(Job, job.id)
    db.session.refresh(stored)
    path = Path(stored.result_path)
    assert path.exists()
    stored.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    sweep(db.session)
    assert not path.exists()
    assert client.get(status["download"]).status_code == 404


def test_a_job_is_its_starters_and_their_coordinators(app, client, tree, people):
    job = start_job(
        db.session,
        people["school"],
        "test_steps",
        {"word": "школа"},
        title="Шаги",
        scope_unit=tree["school_a1"],
    )
    login_as(client, people["school"])
    wait(client, job.id)
    for person, allowed in (("municipal", True), ("region", True), ("other_region", False)):
        login_as(client, people[person])
        assert (client.get(f"/jobs/{job.id}").status_code == 200) == allowed, person
    login_as(client, people["other_region"])
    assert client.get(f"/jobs/{job.id}/download").status_code == 404


def test_rq_runs_the_same_job_function(app, people):
    import redis
    from rq import SimpleWorker

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        need_service(f"Redis is not reachable at {REDIS_URL}: {error}")
    queue = f"collector-test-{uuid.uuid4().hex[:8]}"
    # The production setting: with REDIS_URL the app hands its jobs to RQ.
    app.config.update(REDIS_URL=REDIS_URL, JOB_QUEUE=queue)
    app.extensions.pop("collector_jobs", None)
    user = people["region"]
    try:
        job = start_job(db.session, user, "test_steps", {"word": "очередь"}, title="Шаги")
        assert db.session.get(Job, job.id).state == "queued"  # waits for a worker
        SimpleWorker([queue], connection=connection).work(burst=True)
        db.session.expire_all()
        done = db.session.scalar(select(Job).where(Job.id == job.id))
        assert done.state == "done"
        assert done.progress == {"stage": "Счёт", "done": 3, "total": 3}
        assert done.log.splitlines() == ["step 1", "step 2", "step 3"]
        assert Path(done.result_path).read_text(encoding="utf-8") == "очередь 3"
        failing = start_job(db.session, user, "test_fails", {"plain": True}, title="Импорт")
        SimpleWorker([queue], connection=connection).work(burst=True)
        db.session.expire_all()
        assert db.session.get(Job, failing.id).state == "failed"
    finally:
        app.extensions.pop("collector_jobs", None)
        for key in connection.scan_iter(f"rq:*{queue}*"):
            connection.delete(key)
        connection.close()


def test_a_queued_job_of_a_stopped_process_is_failed_and_the_work_can_start_again(
    app, client, people
):
    """Without Redis a job waits in its process's threads: one queued before this process
    began (its process stopped) never starts, so it is failed and stops standing for the
    work. One queued a moment ago is left alone."""
    user = people["region"]
    login_as(client, user)
    dispatcher_of_this_process = start_job(
        db.session, user, "test_steps", {"word": "сейчас"}, title="Шаги"
    )
    wait(client, dispatcher_of_this_process.id)
    before = utcnow() - timedelta(minutes=10)
    lost = Job(
        id=uuid.uuid4().hex,
        kind="test_steps",
        params={"word": "потерянное"},
        title="Шаги",
        progress={},
        state="queued",
        dedupe_key="lost-work",
        created_by=user.id,
        created_at=before,
    )
    recent = Job(
        id=uuid.uuid4().hex,
        kind="test_steps",
        params={},
        title="Шаги",
        progress={},
        state="queued",
        created_by=user.id,
    )
    db.session.add_all([lost, recent])
    db.session.commit()
    # `flask jobs sweep` runs no job threads and cannot tell: it leaves it.
    assert app.test_cli_runner().invoke(args=["jobs", "sweep"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(Job, lost.id).state == "queued"
    # The web process, which began after it was queued, can: the job is failed and the
    # work asked again gets a job of its own.
    again = start_job(
        db.session, user, "test_steps", {"word": "снова"}, title="Шаги", dedupe_key="lost-work"
    )
    db.session.expire_all()
    assert db.session.get(Job, lost.id).state == "failed"
    assert "потерялось" in db.session.get(Job, lost.id).message
    assert db.session.get(Job, recent.id).state == "queued"
    assert again.id != lost.id and wait(client, again.id)["state"] == "done"


def test_a_queued_job_redis_no_longer_holds_is_failed(rq_queue, people):
    user = people["region"]
    waiting = start_job(db.session, user, "test_steps", {"word": "ждёт"}, title="Шаги")
    gone = start_job(db.session, user, "test_steps", {"word": "пропало"}, title="Шаги")
    for job in (waiting, gone):
        db.session.get(Job, job.id).created_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    rq_queue.delete(f"rq:job:{gone.id}")  # Redis restarted without its data
    sweep(db.session)
    db.session.expire_all()
    # Still in the queue behind others: it will start; the other never will.
    assert db.session.get(Job, waiting.id).state == "queued"
    assert db.session.get(Job, gone.id).state == "failed"


def test_a_sweep_from_a_command_spares_a_job_waiting_in_the_web_process(
    app, people, make_app, client
):
    """No Redis: a job waits in the web process's one thread behind a long one; the sweep
    of `flask jobs sweep` (another process, no job threads) leaves it to run."""
    app.config["JOB_THREADS"] = 1
    gate = GATES.setdefault("behind", threading.Event())
    user = people["region"]
    login_as(client, user)
    long_one = start_job(
        db.session, user, "test_steps", {"word": "долго", "gate": "behind"}, title="Шаги"
    )
    waiting = start_job(db.session, user, "test_steps", {"word": "ждёт"}, title="Шаги")
    db.session.get(Job, waiting.id).created_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    # `flask jobs sweep`: another process, no job threads of its own.
    assert make_app().test_cli_runner().invoke(args=["jobs", "sweep"]).exit_code == 0
    for _ in range(STEPS + 1):
        gate.set()
        time.sleep(0.05)
    assert wait(client, long_one.id)["state"] == "done"
    assert wait(client, waiting.id)["state"] == "done"


@pytest.fixture
def rq_queue(app):
    """The app hands its jobs to an RQ queue of its own that no worker reads."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        need_service(f"Redis is not reachable at {REDIS_URL}: {error}")
    queue = f"collector-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=REDIS_URL, JOB_QUEUE=queue)
    app.extensions.pop("collector_jobs", None)
    yield connection
    app.extensions.pop("collector_jobs", None)
    for job_id in connection.lrange(f"rq:queue:{queue}", 0, -1):
        connection.delete(f"rq:job:{job_id.decode()}")
    for key in connection.scan_iter(f"rq:*{queue}*"):
        connection.delete(key)
    connection.close()


def old_queued_job(user) -> str:
    job = start_job(db.session, user, "test_steps", {"word": "старое"}, title="Шаги")
    db.session.get(Job, job.id).created_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    return job.id


def test_a_job_finished_while_the_sweep_looks_stays_done(rq_queue, people, monkeypatch):
    """A worker finishes the job (RQ forgets it at once) between the sweep reading it as
    queued and asking RQ about it: the sweep must not fail what is done."""
    from collector.jobs import dispatch

    job_id = old_queued_job(people["region"])
    asked = dispatch.RQDispatcher.lost

    def worker_finishes_first(self, found_id, queued_at):
        with db.engine.begin() as other:
            other.execute(update(Job).where(Job.id == found_id).values(state="done"))
        rq_queue.delete(f"rq:job:{found_id}")
        return asked(self, found_id, queued_at)

    monkeypatch.setattr(dispatch.RQDispatcher, "lost", worker_finishes_first)
    sweep(db.session())
    db.session.expire_all()
    assert db.session.get(Job, job_id).state == "done"


def test_a_job_gone_from_redis_while_read_does_not_break_the_sweep(rq_queue, people, monkeypatch):
    from rq.job import Job as QueuedJob

    job_id = old_queued_job(people["region"])
    fetch = QueuedJob.fetch.__func__

    def fetch_then_gone(cls, id, connection=None, serializer=None):
        found = fetch(cls, id, connection=connection, serializer=serializer)
        connection.delete(f"rq:job:{id}")
        return found

    monkeypatch.setattr(QueuedJob, "fetch", classmethod(fetch_then_gone))
    sweep(db.session())
    db.session.expire_all()
    assert db.session.get(Job, job_id).state == "queued"
