"""gunicorn's settings for Collector in production (`make serve`, deploy/collector-web.service).

gunicorn reads ./gunicorn.conf.py from the directory it starts in, and flags given on its
command line win over this file (the benchmarks and tests/load start it from here with
their own --workers, --bind and --timeout). Each value below can be set from the
environment; deploy/collector.env.example lists them."""

from __future__ import annotations

import os
import sys
from typing import Any

# The `gunicorn` script does not put the current directory on sys.path (only `python -m
# gunicorn` does), and this file is read before the app is: make the package importable.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from collector.proxy import ClientAddressFromProxy  # noqa: E402
from collector.serving import settle_after_loading  # noqa: E402

wsgi_app = "wsgi:app"

# 127.0.0.1 only: the reverse proxy (deploy/nginx-collector.conf) is what the world reaches.
bind = [os.environ.get("COLLECTOR_BIND", "127.0.0.1:8000")]

# Sync workers: each request is short and holds one database connection, and nginx buffers
# slow clients, so a worker never waits on a phone's network. gunicorn's advice is
# 2 × cores + 1; the cap keeps the connections (one per worker, plus the job workers and
# cron) well below PostgreSQL's max_connections (100 by default).
MAX_WORKERS = 12
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * (os.cpu_count() or 1) + 1, MAX_WORKERS))
worker_class = "sync"

# A request slower than this is killed and logged (the biggest inline report and a 16 MB
# table upload take a few seconds; exports run as jobs). nginx waits a little longer
# (proxy_read_timeout 75s), so a killed worker reads as a 502 there, not a hang.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM or a reload (SIGHUP), requests under way get this long to finish.
graceful_timeout = 30
# Behind nginx the connection to gunicorn is not kept alive (sync workers close it).
keepalive = 2
# The heartbeat files in memory, not on a disk that may stall (gunicorn's advice).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Each worker builds the app itself. Preloading it in the master would share a few MB of
# memory but fork what create_app opened: the job runner's threads (when Redis is not
# configured) do not survive a fork, and a connection pool touched before the fork would be
# shared by every worker. Not worth it for this app.
preload_app = False

# The proxies whose X-Forwarded-Proto (https, for secure cookies and redirects) and
# X-Forwarded-For (the client's address, for rate limits; see post_worker_init) are
# believed. nginx on the same machine: the default. A proxy elsewhere: its address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's own messages go to stderr (the journal under systemd). Access lines only when
# asked for ("-": stdout), so that the benchmarks and load tests that start gunicorn from
# this directory do not print a line per request; `make serve` and the unit ask for them.
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
errorlog = "-"
accesslog = os.environ.get("COLLECTOR_ACCESS_LOG") or None
# The request id is the app's X-Request-ID answer header, the same id its own log lines
# and its error pages carry; %(h)s is the client's address (the one a trusted proxy
# forwarded, post_worker_init).
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s "%(f)s" "%(a)s"'

if os.environ.get("COLLECTOR_LOG_FORMAT") == "json":
    # gunicorn's own and access lines as the app's: one JSON object per line.
    from collector.logs import gunicorn_json_logging

    logconfig_dict = gunicorn_json_logging(access=accesslog is not None)


def post_worker_init(worker: Any) -> None:
    """The app sees the client's address, not the proxy's, from the same proxies gunicorn
    trusts for the scheme (collector/proxy.py says why); what the worker loaded is kept
    out of the garbage collector's walks (collector/serving.py)."""
    worker.wsgi = ClientAddressFromProxy(worker.wsgi, worker.cfg.forwarded_allow_ips)
    settle_after_loading()
