"""Default settings. No secrets here: SECRET_KEY comes from instance/config.py or the
environment (COLLECTOR_SECRET_KEY); DATABASE_URL switches the database."""

from datetime import timedelta


class DefaultConfig:
    # Filled in by create_app from the instance folder when DATABASE_URL is not set.
    SQLALCHEMY_DATABASE_URI: str | None = None
    # Pooled connections are tried when they have been idle (collector.extensions), not
    # on every checkout.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Production serves over HTTPS; `make run` writes an instance config that turns this
    # off for http://127.0.0.1.
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # The department whose site this is: the header and the window title of every page,
    # the public ones (survey, registries, login) first of all. COLLECTOR_DEPARTMENT_NAME.
    DEPARTMENT_NAME = "Департамент образования"
    # Its logo beside the name: a PNG, JPEG or WebP file (up to 1 MB), a path absolute or
    # relative to the instance folder (collector/branding.py). COLLECTOR_DEPARTMENT_LOGO.
    DEPARTMENT_LOGO: str | None = None

    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = "Europe/Moscow"
    LANGUAGES = ("ru", "en")

    # Rate limits are counted in a shared store so that several app processes agree;
    # memory:// is only for a single process (development, tests).
    RATELIMIT_STORAGE_URI = "memory://"
    # Stated, not left to Flask-Limiter: its one Limiter object keeps the last app's value
    # and gives it to the next app that does not state its own.
    RATELIMIT_ENABLED = True
    # No X-RateLimit-* headers: each costs the store a round trip on every limited request
    # (a third of a survey answer's limit checks); a 429 carries Retry-After (errors.py).
    RATELIMIT_HEADERS_ENABLED = False
    # A moving window: a fixed one resets on the minute, giving a guesser twice the limit
    # across the boundary (and made the limit tests flaky when a run crossed it).
    RATELIMIT_STRATEGY = "moving-window"
    # While the shared store (Redis) does not answer, every limit is counted in each
    # process's own memory (so a limit allows up to once per worker) instead of failing the
    # request; the shared store is tried again every few seconds and used once it is back.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # The JSON API (/api/v1): requests per personal access token, across all its routes
    # (collector.api.views).
    API_RATE_LIMIT = "600 per minute"
    # The largest JSON body the API reads (a unit report's answers are a few kilobytes).
    API_MAX_BODY_BYTES = 1024 * 1024
    # The largest file the API takes (an imported table, units): as the pages take.
    API_MAX_UPLOAD_BYTES = 16 * 1024 * 1024
    # Webhooks may post to loopback and private addresses (tests, a closed network);
    # otherwise only to addresses that are not (collector.webhooks.services.check_url).
    WEBHOOK_ALLOW_PRIVATE_URLS = False
    # Logging in (collector.auth.throttle says why): hard limits per address and per
    # address-and-account; per account only a slowing delay, so that nobody can lock the real
    # user out. After LOGIN_ACCOUNT_FREE_FAILURES failures within the window every attempt
    # on the account waits, from the first delay doubling up to the maximum.
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT = "5 per minute;20 per hour"
    LOGIN_ACCOUNT_FAILURE_WINDOW = timedelta(minutes=15)
    LOGIN_ACCOUNT_FREE_FAILURES = 5
    LOGIN_ACCOUNT_FIRST_DELAY_SECONDS = 0.25
    LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 2.0
    # Asking for a password reset link (collector.auth.reset): per address, and per
    # address typed (so nobody's mailbox is flooded); setting the password by a link.
    PASSWORD_RESET_RATE_LIMIT = "5 per minute;20 per hour"
    PASSWORD_RESET_ACCOUNT_RATE_LIMIT = "3 per hour"
    # A session's last-seen time is written at most this often.
    SESSION_SEEN_EVERY = timedelta(minutes=5)
    # Answers through one survey link: a class filling it in at once fits, a script does not.
    SURVEY_RATE_LIMIT = "60 per minute;600 per hour"
    SURVEY_ADDRESS_RATE_LIMIT = "30 per minute;200 per hour"

    # E-mail reminders (`flask campaigns remind`): the SMTP server and the sender.
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_STARTTLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "Collector <collector@localhost>"
    # Days before a deadline when a reminder goes out (one reminder per day listed),
    # and once after it.
    REMINDER_DAYS_BEFORE: tuple[int, ...] = (3,)
    # The address users reach the site at, for links in e-mails (no request there).
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"

    # Jobs (exports, imports, reminders): with REDIS_URL set they go to RQ workers
    # (`flask jobs worker`); without it a local thread runs them.
    REDIS_URL: str | None = None
    JOB_QUEUE = "collector"
    JOB_FOLDER: str | None = None  # default: instance/jobs
    # Where the files attached to answers are kept, outside the database
    # (collector/storage.py): "folder" (FILE_FOLDER, default instance/files; back it up
    # with the database) or "s3", an S3-compatible object storage: the bucket, its server
    # (none: Amazon S3 itself), a key prefix, the region, and the credentials (best from
    # the environment, COLLECTOR_FILE_S3_ACCESS_KEY_ID and …_SECRET_ACCESS_KEY, or
    # instance/config.py; unset: boto3's own, AWS_* variables or an instance role).
    FILE_STORAGE = "folder"
    FILE_FOLDER: str | None = None
    FILE_S3_BUCKET: str | None = None
    FILE_S3_ENDPOINT_URL: str | None = None
    FILE_S3_PREFIX = "collector-files/"
    FILE_S3_REGION: str | None = None
    FILE_S3_ACCESS_KEY_ID: str | None = None
    FILE_S3_SECRET_ACCESS_KEY: str | None = None
    # A stored file that no answer and no version in a report's history names is removed
    # by `flask files clean` once it is this old (a file being attached now is younger).
    FILE_ORPHAN_GRACE_HOURS = 24
    JOB_THREADS = 2
    JOB_TIMEOUT_SECONDS = 3 * 3600
    JOB_HEARTBEAT_SECONDS = 5.0
    # A running job silent this long lost its worker.
    JOB_DEAD_AFTER_SECONDS = 60
    JOB_PROGRESS_EVERY = 0.5
    # Finished files are kept this long, then removed.
    JOB_RESULT_HOURS = 24
    # A campaign with more responses than this has its indicators computed by a job (and
    # kept until its data changes) instead of inside the page's request.
    REPORT_INLINE_RESPONSES = 50_000
    # Kept figures and views read lately stay in each process (each web worker, each job
    # worker), up to this many MB of their files, some two and a half times that in
    # memory (a national campaign's figures are a 7 MB file, 17 MB read): the next view
    # of the same data reads none of them. 0: read on every view.
    REPORT_MEMORY_MB = 16
    # Rows per sheet before a sheet continues on the next (Excel's limit).
    EXPORT_MAX_ROWS = 1_048_576

    # Largest upload accepted (unit and figure imports).
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # An uploaded table (units, figures, campaign tables) is read at most this far; the
    # file's own claims are not trusted (collector.units.tabular.TableLimits).
    TABLE_MAX_ROWS = 100_000
    TABLE_MAX_COLUMNS = 200
    TABLE_MAX_CELLS = 2_000_000
    TABLE_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
    TABLE_MAX_ZIP_ENTRIES = 1_000
    TABLE_MAX_COMPRESSION_RATIO = 200
