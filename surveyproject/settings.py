"""Settings for Borgerservice-undersøgelsen.

Every value that differs between a laptop, CI and production comes from the environment, or
from a file of NAME=value lines read without overriding it: the one DJANGO_ENV_FILE names (on a
server /etc/borgerservice/borgerservice.env, which the services read too, so that manage.py run
by hand sees what they see), else `.env` beside manage.py (which `make` writes for local use).
deploy/borgerservice.env lists every setting.
"""

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(os.environ.get("DJANGO_ENV_FILE") or BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# A missing secret key is fatal in production. While debugging, a random key per
# process is safe (it only invalidates sessions on restart) and keeps setup at zero.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for local use).")
    SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])


def required(name: str, default: str) -> str:
    """Return the environment variable *name*; while debugging, *default* when it is unset.

    In production a forgotten setting must stop the app with a clear message, never fall
    back to a value for a laptop (an SQLite file, links to 127.0.0.1, mail on the console).
    """
    value = env.str(name, default="")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"Set {name} (or DJANGO_DEBUG=true for local use); see the README's Configuration.")
    return default


# Absolute base of the personal links written into invitations and mails.
SITE_URL = required("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "surveyproject.apps.AdminConfig",  # Django's admin with the staff's own site (surveyproject/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    # Ships Bootstrap's CSS and JS as static files, so no CDN is needed.
    "bootstrap",
    # Locks out repeated failed logins to the admin (see Security below).
    "surveyproject.apps.AxesConfig",  # axes under a Danish name (surveyproject/apps.py)
    # Long work staff asked for and follow: big downloads, a big register import, anonymising; and
    # the workers' signs of life. Before django_tasks_db: its db_worker command takes the place of theirs.
    "jobs",
    # The task queue (see Background work below).
    "django_tasks",
    "surveyproject.apps.TasksDatabaseConfig",  # django_tasks_db under a Danish name
    "questionnaire",
    "results",
    # The site as a whole: the system check for the native libraries (surveyproject/checks.py).
    "surveyproject.apps.SiteConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the request: NUL in the URL, an unknown charset, a file where none is taken.
    "surveyproject.middleware.UnreadableRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "surveyproject.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "surveyproject.urls"
WSGI_APPLICATION = "surveyproject.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "questionnaire.context_processors.survey",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------

# PostgreSQL holds the answers in production and in the tests; an SQLite file is
# the default only so that trying the app needs nothing installed.
DATABASES = {
    "default": env.db_url_config(required("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
# A kept connection is tested before a request reuses it: after a database restart,
# the first request of each worker would otherwise get a 503 (bench/db_restart.py).
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite, for trying the app only, cannot enforce one of the answers' unique
    # constraints (NULLS NOT DISTINCT); PostgreSQL, which holds real answers, does.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]
    # The worker writes beside the web server: take the write lock when a transaction begins,
    # and wait for it, rather than fail with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The app reads through a server-side cursor (QuerySet.iterator()) only to stream every row
    # of an export: plan for all of them, not PostgreSQL's default first tenth, which picks plans
    # fifteen times slower for the quotes (bench/bench_results.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c cursor_tuple_fraction=1")

# --- Language and time --------------------------------------------------------

LANGUAGE_CODE = env.str("DJANGO_LANGUAGE_CODE", default="da")
LANGUAGES = [("da", "Dansk"), ("en", "English")]
# locale/ is ours (make messages); locale_vendor/ translates what installed apps ship without Danish.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
# One Danish way to write a date and time ("1. december 2026 kl. 14:05"), in every template.
FORMAT_MODULE_PATH = ["surveyproject.formats"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------

STATIC_URL = "static/"
# Where `collectstatic` puts the files (production: a directory the service user may write at deploys).
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Production serves hashed, compressed files made by `collectstatic`; local use and
# the tests serve straight from the installed apps, with nothing to collect first.
COLLECTED_STATIC = env.bool("DJANGO_COLLECTED_STATIC", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # The files that background jobs make (see Background work below).
    "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("JOB_FILES_DIR", default=str(BASE_DIR / "var" / "jobs"))},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not COLLECTED_STATIC

CRISPY_ALLOWED_TEMPLATE_PACKS = ("bootstrap5", "survey_form")
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Mail ----------------------------------------------------------------------


def email_config(url: str) -> dict:
    """Return the mail settings of *url* (django-environ's EMAIL_URL), files written where one expects.

    As with sqlite URLs, ``filemail:////var/mail/bs`` (four slashes) is the absolute path
    /var/mail/bs, and ``filemail:///sent-mail`` (three) a relative one, taken here from the
    project's directory rather than from wherever the command happens to run.
    """
    config = env.email_url_config(url)
    path = config.get("EMAIL_FILE_PATH")
    if config["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
        config["EMAIL_FILE_PATH"] = str(BASE_DIR / path) if path else str(BASE_DIR / "sent-mail")
    return config


EMAIL_CONFIG = email_config(required("EMAIL_URL", "consolemail://"))
vars().update(EMAIL_CONFIG)
# Seconds an SMTP server may take to answer before the mail is tried again later; the
# worker's lease below must stay well above it, or a slow send would look like a dead worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The most mails a minute, across all workers (a Microsoft 365 mailbox allows about 30).
EMAIL_MAX_PER_MINUTE = env.int("EMAIL_MAX_PER_MINUTE", default=None)
# A temporary refusal (4xx, a dropped connection, a timeout) is tried again after this many
# seconds, doubling each time up to an hour; after EMAIL_MAX_ATTEMPTS it counts as failed.
EMAIL_RETRY_SECONDS = env.int("EMAIL_RETRY_SECONDS", default=60)
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=8)
# A worker that has shown no sign of life for this long is taken to be dead: another worker
# takes over its batch and the mails it had claimed but not sent.
MAIL_LEASE_SECONDS = env.int("MAIL_LEASE_SECONDS", default=300)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Danmarks Biblioteksforening <noreply@db.dk>")
SURVEY_CONTACT_EMAIL = env.str("SURVEY_CONTACT_EMAIL", default="db@db.dk")
# Named in the privacy notice as the data controller (templates/about/privacy.html).
DATA_CONTROLLER = env.str("DATA_CONTROLLER", default="Danmarks Biblioteksforening")
# A library that has not submitted gets at most one reminder (or the invitation) in this many days.
REMINDER_INTERVAL_DAYS = env.int("REMINDER_INTERVAL_DAYS", default=7)
# The landing page promises that contact details are deleted at most a year after a round closes.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=365)
# A figure resting on fewer libraries than this (a median, a lowest and highest amount) is not
# printed in any output: with one or two libraries it would be that library's own answer.
SMALL_GROUP_MIN = env.int("SMALL_GROUP_MIN", default=5)

# --- Background work ------------------------------------------------------------

# Mail and other long work go on Django's task queue (django-tasks), kept in the app's own
# database (django-tasks-db): no other server to run. `manage.py db_worker` does the work;
# `make run` starts one beside the web server, production runs it as a service (README).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Work that could outlast gunicorn's 60 s timeout goes to a worker, as a job staff follow on a
# page (jobs/). A results download of more submitted responses than this is made by a worker;
# a smaller one (every round so far: a few hundred libraries) downloads at once.
RESULTS_SYNC_MAX_RESPONSES = env.int("RESULTS_SYNC_MAX_RESPONSES", default=2000)
# A register file larger than this (some 2 500 rows of CSV) is imported by a worker.
REGISTER_SYNC_MAX_BYTES = env.int("REGISTER_SYNC_MAX_BYTES", default=200 * 1024)
# Finished jobs, and the files they made (in JOB_FILES_DIR, STORAGES above), are deleted after
# this many hours by run_scheduled: a results file holds answers and should not linger.
JOB_KEEP_HOURS = env.int("JOB_KEEP_HOURS", default=24)
# A worker renews the lease of the job it runs every few seconds; a job whose worker has been
# silent for this long (killed, restarted, out of memory) is started again by another worker,
# at most JOB_MAX_ATTEMPTS times in all, and then failed with a reason staff can read.
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=120)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=2)
# Every worker shows it is alive (jobs/workers.py); one unseen for this long counts as not running:
# the staff pages say so in Danish, /healthz answers 503, and its unfinished task is marked dead.
WORKER_SILENT_SECONDS = env.int("WORKER_SILENT_SECONDS", default=180)
# /healthz answers 503 when a task that is due has waited longer than this for a worker (a worker
# busy with one long job makes the others wait: a large round's report takes a few minutes).
HEALTH_QUEUE_WAIT_SECONDS = env.int("HEALTH_QUEUE_WAIT_SECONDS", default=600)
# The queue's record of a finished task is deleted by run_scheduled after this many days.
TASK_RESULTS_KEEP_DAYS = env.int("TASK_RESULTS_KEEP_DAYS", default=7)

# --- Security ------------------------------------------------------------------

# Production runs behind HTTPS: secure cookies, HSTS and a redirect from http.
# Only local use over plain http (and the tests) turns this off.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# How many reverse proxies stand in front of the app (nginx alone: 1). Only then are the
# forwarded headers believed: the client's address (surveyproject/client.py) and whether the
# request came by HTTPS. With none, a client could claim either.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_PROXY_SSL_HEADER = (
    (env.str("DJANGO_PROXY_SSL_HEADER", default="HTTP_X_FORWARDED_PROTO"), "https") if TRUSTED_PROXY_COUNT else None
)
# A monitor may ask the app itself for /healthz over plain http, past the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# django-axes checks every login first, so that a locked-out client is refused even
# with the right password. Note: the test client's login() passes no request, which
# axes needs; tests log in with force_login() or through the login form.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=60))
# Lock a user name from the address that guessed, so a guesser elsewhere cannot lock DB staff
# out. The address is the client's, behind the proxies of TRUSTED_PROXY_COUNT too.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "surveyproject.client.client_address"
# Axes logs each failed login; without the user name and address (they are in the admin, under Axes).
AXES_CLIENT_STR_CALLABLE = "surveyproject.logs.axes_client"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# After a login without a usable ?next=, go to the admin (Django's default is /accounts/profile/, a 404).
LOGIN_REDIRECT_URL = "admin:index"

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# No inline script anywhere: scripts come from our static files only. Inline style
# attributes stay allowed (Bootstrap's progress bars, the admin).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Respondent text may be long, but never megabytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# One line per record on standard error (the journal, under systemd): time, level, logger, message;
# no e-mail address or personal link in it (surveyproject/logs.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"()": "surveyproject.logs.LineFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}
# Python's warnings (a deprecation, a missing directory) go to the same log, in the same format.
logging.captureWarnings(True)

# --- The register import ---------------------------------------------------------

# A register of Denmark's public libraries is some hundred rows and a few kilobytes. The
# limits keep a small file that declares or unpacks to a huge sheet from taking a worker's
# memory or time (questionnaire/services/register.py); the refusal names the limit.
REGISTER_MAX_UPLOAD_BYTES = env.int("REGISTER_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
REGISTER_MAX_INFLATED_BYTES = env.int("REGISTER_MAX_INFLATED_BYTES", default=20 * 1024 * 1024)
REGISTER_MAX_ROWS = env.int("REGISTER_MAX_ROWS", default=10_000)
REGISTER_MAX_COLUMNS = env.int("REGISTER_MAX_COLUMNS", default=30)
# The same guard for a questionnaire workbook (questionnaire/spreadsheets.py): the borgerservice
# questionnaire is some 150 rows and 10 columns in a file of 20 kB.
QUESTIONNAIRE_MAX_UPLOAD_BYTES = env.int("QUESTIONNAIRE_MAX_UPLOAD_BYTES", default=2 * 1024 * 1024)
QUESTIONNAIRE_MAX_INFLATED_BYTES = env.int("QUESTIONNAIRE_MAX_INFLATED_BYTES", default=10 * 1024 * 1024)
QUESTIONNAIRE_MAX_ROWS = env.int("QUESTIONNAIRE_MAX_ROWS", default=2_000)
QUESTIONNAIRE_MAX_COLUMNS = env.int("QUESTIONNAIRE_MAX_COLUMNS", default=30)
