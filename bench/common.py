"""Shared helpers for the benchmarks: a throwaway database, a round to answer, gunicorn, an HTTP client.

Every script runs Django in its own process (to create the data and to check what was
stored) and the app under gunicorn in child processes, talking to it over loopback only.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The scripts run as `python bench/<script>.py`: make the project importable.
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/borgerservice"

# The app's settings for the benchmark, in gunicorn and in the script's own Django.
APP_ENV = {
    "DJANGO_SETTINGS_MODULE": "surveyproject.settings",
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "false",
    "DJANGO_COLLECTED_STATIC": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECRET_KEY": "bench",
    "DJANGO_CONN_MAX_AGE": "60",
    "SITE_URL": "http://127.0.0.1:8000",
    # Receipts are built as in production, then dropped: no mail leaves a benchmark.
    "EMAIL_URL": "dummymail://",
}


# --- The database ---------------------------------------------------------------------


def database_url(name: str, server_url: str | None = None) -> str:
    """Return DATABASE_URL (or the Makefile's default) with its database name replaced by *name*."""
    parts = urlsplit(server_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + name))


def _maintenance(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    conninfo = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(sql)


@contextmanager
def fresh_database(url: str, *, drop: bool = True):
    """Create the database of *url* (dropping a leftover first), set Django up on it, migrate; drop it at the end.

    *drop* false leaves it, for a throwaway server that is deleted anyway.
    """
    name = urlsplit(url).path.lstrip("/")
    _maintenance(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _maintenance(url, f'CREATE DATABASE "{name}"')
    try:
        django_setup(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield url
    finally:
        from django.db import connections

        connections.close_all()
        if drop:
            _maintenance(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(url: str) -> None:
    """Set Django up in this process on the database *url*, with the benchmark's settings."""
    os.environ.update(APP_ENV, DATABASE_URL=url)
    import django

    django.setup()


def round_prepare(libraries: int):
    """Open a round and invite *libraries* libraries: the 98 of the register, plus made-up ones beyond that.

    Return (round, invitations ordered by library, the questionnaire's sections).
    """
    from questionnaire.models import Library, LibraryKind, Municipality
    from questionnaire.services.questionnaire import questionnaire_sections
    from questionnaire.services.register import default_register_load
    from questionnaire.services.rounds import invitations_create, round_open

    default_register_load()
    municipalities = list(Municipality.objects.order_by("code"))
    extra = libraries - Library.objects.count()
    Library.objects.bulk_create(
        Library(name=f"Filial {n + 1}", kind=LibraryKind.BRANCH, municipality=municipalities[n % len(municipalities)])
        for n in range(max(extra, 0))
    )
    keep = Library.objects.order_by("pk").values_list("pk", flat=True)[:libraries]
    Library.objects.exclude(pk__in=list(keep)).update(active=False)
    round_, _ = round_open(slug="bench", title="Benchmark")
    invitations_create(round=round_)
    invitations = list(round_.invitations.select_related("library").order_by("library_id"))
    return round_, invitations, questionnaire_sections(round_.questionnaire)


def form_answers(answers: dict) -> dict:
    """Return *answers* as a browser sends and the app stores them: whole numbers, texts without outer spaces."""
    result = {}
    for code, value in answers.items():
        if isinstance(value, float):
            value = int(value)
        elif isinstance(value, str):
            value = value.strip()
        result[code] = value
    return result


def section_fields(section, answers: dict, action: str = "next") -> list[tuple[str, str]]:
    """Return the POST fields for *section*: one per answered question, repeated for multiple choice."""
    fields = []
    for question in section.questions.all():
        value = answers.get(question.code)
        values = value if isinstance(value, list) else [] if value is None else [value]
        fields += [(question.code, str(v)) for v in values]
    return [*fields, ("action", action)]


# --- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url: str, *, workers: int = 2, port: int | None = None, timeout: float = 30):
    """Run the app under gunicorn on 127.0.0.1 against the database *url*; yield the port; stop it at the end."""
    port = port or free_port()
    env = {**os.environ, **APP_ENV, "DATABASE_URL": url}
    command = [sys.executable, "-m", "gunicorn", "surveyproject.wsgi"]
    command += ["-b", f"127.0.0.1:{port}", "-w", str(workers), "--threads", "1"]
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        _wait_until_answering(port, process, timeout)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        errors = Path(log.name).read_text(errors="replace")
        if "Traceback" in errors:
            print(f"gunicorn log ({log.name}) has tracebacks:\n{errors[-3000:]}", file=sys.stderr)
        else:
            os.unlink(log.name)


def _wait_until_answering(port: int, process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            if Client(port).get("/admin/login/").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout} s")


# --- HTTP ----------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: Message
    body: str
    seconds: float

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Client:
    """A browser in miniature: keeps cookies and sends Django's CSRF token with every POST."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout, self.cookies = port, timeout, {}

    def request(self, method: str, path: str, fields: list | None = None) -> Reply:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode([*fields, ("csrfmiddlewaretoken", self.cookies.get("csrftoken", ""))])
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Reply(response.status, response.headers, text, seconds)

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, fields: list) -> Reply:
        return self.request("POST", path, fields)


# --- Figures -------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Return the *share* percentile (0–1) of *values*, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else float("nan")


def milliseconds(values: list[float]) -> str:
    return f"p50 {1000 * percentile(values, 0.5):6.1f} ms  p95 {1000 * percentile(values, 0.95):6.1f} ms"


# Not the peak the parent can read from wait4 (ru_maxrss): on Linux a child that was forked (or
# vforked, as subprocess does) and then exec'd inherits the high-water mark of the process it was
# forked from, so every child reported the parent's peak (95 or 121 MB, whatever its work).
PEAK = "peak MB "


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


@contextmanager
def child_report():
    """In a child process: print this process's own peak memory in MB when the block ends (the last line).

    The peak is the kernel's high-water mark of resident memory (VmHWM in /proc/self/status).
    Our children are exec'd, so the mark starts with the child itself; it is also reset as the
    block starts (5 written to /proc/self/clear_refs sets it to what the process holds at that
    moment), so that a child started otherwise (a plain fork) does not start at its parent's
    peak, only at what it shares with it. Use it around the child's whole work, imports and
    Django's setup included.
    """
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    yield
    print(f"{PEAK}{_status_kb('VmHWM') // 1024}", flush=True)


def timed_child(script: str, mode: str, slug: str, path: str, url: str) -> tuple[float, int]:
    """Run *script* with ``--child MODE SLUG PATH`` against the database *url*; return (the seconds it
    printed, its own peak memory in MB, as `child_report` printed it). A child per measurement."""
    env = {**os.environ, **APP_ENV, "DATABASE_URL": url}
    process = subprocess.run(  # noqa: S603 - one of our own bench scripts
        [sys.executable, script, "--child", mode, slug, path], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    lines = process.stdout.strip().splitlines()
    if process.returncode != 0 or len(lines) < 2 or not lines[-1].startswith(PEAK):
        raise SystemExit(f"{mode} child failed ({process.returncode}): {process.stdout}")
    return float(lines[-2]), int(lines[-1].removeprefix(PEAK))
