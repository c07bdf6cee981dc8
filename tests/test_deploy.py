"""Production: the settings pass Django's deployment checks, pages carry a strict CSP, and the deploy files
(deploy/: the systemd units, the environment file, gunicorn's settings) start a server that serves."""

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_under_production_settings():
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SECRET_KEY": "x" * 60 + "production-like-secret-key-for-the-check",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "borgerservice.db.dk",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/deploy-check.sqlite3"),
        "SITE_URL": "https://borgerservice.db.dk",
        "EMAIL_URL": "smtp+tls://survey:secret@smtp.example.dk:587",
    }
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {"PATH": os.environ["PATH"], "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("missing", ["DATABASE_URL", "SITE_URL", "EMAIL_URL"])
def test_production_refuses_to_start_without_database_site_or_mail(missing):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
        "SITE_URL": "https://borgerservice.db.dk",
        "EMAIL_URL": "smtp://smtp.example.dk:587",
    }
    del env[missing]
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and f"Set {missing}" in result.stderr


@pytest.mark.django_db
def test_pages_forbid_inline_script_and_framing(client, invitation):
    policy = client.get(invitation.get_absolute_url())["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["default-src"]


# --- The deploy files: the production commands exactly as the unit files give them ---------------

DEPLOY = ROOT / "deploy"
# Where the unit files expect the checkout and its virtualenv; the tests put this one's there instead.
SERVER_CHECKOUT = "/srv/borgerservice"
PUBLIC_HOST = "borgerservice.db.dk"


def unit(name: str) -> dict:
    """Return the [Service] (or [Timer]) settings of deploy/*name* as {key: value}."""
    settings = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), value.strip())
    return settings


def exec_start(name: str) -> list[str]:
    """Return the ExecStart command of *name*, run from this checkout and the virtualenv running the tests."""
    command = shlex.split(unit(name)["ExecStart"])
    venv_bin = f"{SERVER_CHECKOUT}/.venv/bin/"
    assert command[0].startswith(venv_bin), command
    return [str(Path(sys.executable).parent / command[0].removeprefix(venv_bin)), *command[1:]]


def environment_file(text: str) -> dict:
    """Read *text* as systemd reads an EnvironmentFile: NAME=value lines; comments and blank lines skipped."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        name, value = line.split("=", 1)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def filled_template(values: dict) -> str:
    """Return deploy/borgerservice.env with *values* in place of the template's (a '#NAME=' line taken in too)."""
    lines = []
    for line in (DEPLOY / "borgerservice.env").read_text().splitlines():
        name = line.lstrip("#").split("=", 1)[0]
        if "=" in line and name in values:
            line = f"{name}={values[name]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


SETTING_NAME = re.compile(r"""(?:env\.\w+|required|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_the_environment_template_lists_every_setting_with_a_comment():
    names = set(SETTING_NAME.findall((ROOT / "surveyproject" / "settings.py").read_text()))
    names |= set(SETTING_NAME.findall((DEPLOY / "gunicorn.conf.py").read_text()))
    names.discard("DJANGO_ENV_FILE")  # names the file itself
    assert {"DATABASE_URL", "TRUSTED_PROXY_COUNT", "GUNICORN_BIND", "WORKER_SILENT_SECONDS"} <= names
    lines = (DEPLOY / "borgerservice.env").read_text().splitlines()
    listed = {}
    for number, line in enumerate(lines):
        match = re.fullmatch(r"#?([A-Z][A-Z0-9_]+)=.*", line)
        if match:
            listed[match[1]] = number
    assert sorted(names - listed.keys()) == []
    for name, number in listed.items():
        # Above each setting (or the settings it is listed with), a line of prose says what it is.
        above = number - 1
        while re.fullmatch(r"#?[A-Z][A-Z0-9_]+=.*", lines[above]):
            above -= 1
        assert lines[above].startswith("# ") and len(lines[above]) > 12, name


def test_the_three_services_read_one_environment_file_and_the_timer_starts_the_scheduled_work():
    files = {unit(name)["EnvironmentFile"] for name in SERVICES.values()}
    assert files == {"/etc/borgerservice/borgerservice.env"}
    assert {unit(name)["WorkingDirectory"] for name in SERVICES.values()} == {SERVER_CHECKOUT}
    assert unit("borgerservice-scheduled.service")["Type"] == "oneshot"
    timer = unit("borgerservice-scheduled.timer")
    assert timer.get("Unit", "borgerservice-scheduled.service") == "borgerservice-scheduled.service"
    assert timer["OnCalendar"] == "*:0/15"
    assert "--config deploy/gunicorn.conf.py" in unit(SERVICES["web"])["ExecStart"]


SERVICES = {
    "web": "borgerservice-web.service",
    "worker": "borgerservice-worker.service",
    "scheduled": "borgerservice-scheduled.service",
}


def proxied_get(port: int, path: str, *, client: str = "203.0.113.5") -> tuple[int, bytes]:
    """GET *path* from gunicorn as the proxy (deploy/nginx.conf) passes a request on; return status and body."""
    connection = HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "GET", path, headers={"Host": PUBLIC_HOST, "X-Forwarded-For": client, "X-Forwarded-Proto": "https"}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def proxied_login(port: int, username: str, password: str, *, client: str) -> int:
    """Log in to the admin from *client* through the proxy as a browser does (form, cookie, origin); the status."""
    headers = {"Host": PUBLIC_HOST, "X-Forwarded-For": client, "X-Forwarded-Proto": "https"}
    connection = HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/admin/login/", headers=headers)
        response = connection.getresponse()
        form = response.read().decode()
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
        body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        connection.request(
            "POST",
            "/admin/login/",
            body=body,
            headers={
                **headers,
                "Cookie": cookie,
                "Origin": f"https://{PUBLIC_HOST}",
                "Referer": f"https://{PUBLIC_HOST}/admin/login/",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def health(port: int) -> tuple[int, dict]:
    status, body = proxied_get(port, "/healthz")
    return status, json.loads(body)


def started(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - the unit files' own commands
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def stopped(process: subprocess.Popen | None, *, kill: bool = False) -> str:
    """Stop *process* as systemd does (SIGTERM; SIGKILL if *kill*) and return what it wrote."""
    if process is None:
        return ""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_units_commands_serve_send_mail_run_the_schedule_and_report_a_stopped_worker(tmp_path):
    from django_tasks_db.models import DBTaskResult

    from questionnaire.mail.outbox import invitations_enqueue
    from questionnaire.models import Mail, MailStatus
    from tests.conftest import make_invitation, make_round, make_staff, running_database_url, wait_for
    from tests.smtpserver import Handler, free_port, smtp_server

    web_port = free_port()
    handler = Handler()
    with smtp_server(handler) as smtp_port:
        env_file = filled_template(
            {
                "DJANGO_SECRET_KEY": "x" * 60 + "-a-production-like-secret",
                "DJANGO_ALLOWED_HOSTS": PUBLIC_HOST,
                "SITE_URL": f"https://{PUBLIC_HOST}",
                "DATABASE_URL": running_database_url(),
                "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
                "GUNICORN_BIND": f"127.0.0.1:{web_port}",
                "GUNICORN_WORKERS": "1",
                "JOB_FILES_DIR": str(tmp_path / "jobs"),
                # collectstatic takes a minute (it compresses every file); the test serves from the apps.
                "DJANGO_COLLECTED_STATIC": "false",
                "DJANGO_STATIC_ROOT": str(tmp_path),
                # A short wait, so that the stopped worker shows within the test's time.
                "HEALTH_QUEUE_WAIT_SECONDS": "3",
            }
        )
        # systemd starts each command with the file's settings and little else: so does the test.
        env = environment_file(env_file)
        assert env["DJANGO_DEBUG"] == "false" and env["TRUSTED_PROXY_COUNT"] == "1"
        web = worker = None
        try:
            web = started(exec_start(SERVICES["web"]), env)
            worker = started(exec_start(SERVICES["worker"]), env)
            wait_for(lambda: web.poll() is not None or port_open(web_port), 30, "gunicorn to listen")
            assert web.poll() is None, stopped(web)

            # The worker shows itself as it starts.
            wait_for(lambda: health(web_port)[1]["worker"] == "ok", 30, "the worker to show itself")
            status, state = health(web_port)
            assert (status, state["status"], state["database"], state["migrations"]) == (200, "ok", "ok", "ok"), state
            assert proxied_get(web_port, "/")[0] == 200
            # Over plain http, without the proxy's word that the request came by HTTPS: sent there.
            assert plain_get(web_port, "/")[0] == 301

            # Five wrong passwords from one client lock the user name from that client only.
            make_staff(username="hanne", password="the-right-password")
            wrong = [proxied_login(web_port, "hanne", "wrong", client="203.0.113.5") for _attempt in range(5)]
            assert wrong == [200, 200, 200, 200, 429]  # the form again, then the lockout
            assert proxied_login(web_port, "hanne", "the-right-password", client="198.51.100.7") == 302
            assert proxied_login(web_port, "hanne", "the-right-password", client="203.0.113.5") == 429

            invitation = make_invitation(round=make_round())
            invitations_enqueue(round=invitation.round)
            wait_for(lambda: handler.total() >= 1, 30, "the worker to send the invitation")
            wait_for(lambda: Mail.objects.filter(status=MailStatus.SENT).exists(), 10, "the mail to be marked sent")
            assert dict(handler.received) == {invitation.library.email: 1}

            # manage.py by hand, as the README has it: the same file, named by DJANGO_ENV_FILE.
            (tmp_path / "borgerservice.env").write_text(env_file)
            for command in (["check", "--deploy", "--fail-level", "WARNING"], ["migrate", "--check"]):
                by_hand = subprocess.run(  # noqa: S603 - our own manage.py
                    [sys.executable, "manage.py", *command],
                    cwd=ROOT, env={"DJANGO_ENV_FILE": str(tmp_path / "borgerservice.env")},
                    capture_output=True, text=True, timeout=120,
                )  # fmt: skip
                assert by_hand.returncode == 0, by_hand.stderr + by_hand.stdout

            # The timer's command, with nothing but the environment file (cron gave nothing at all).
            scheduled = subprocess.run(  # noqa: S603 - the unit file's own command
                exec_start(SERVICES["scheduled"]), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
            )
            assert scheduled.returncode == 0, scheduled.stderr + scheduled.stdout

            # The worker dies (killed: it cannot say so), and a mail is due: within the setting, 503.
            stopped(worker, kill=True)
            make_invitation(round=invitation.round)
            invitations_enqueue(round=invitation.round)
            assert DBTaskResult.objects.ready().exists()
            wait_for(lambda: health(web_port)[0] == 503, 3 + 5, "/healthz to report the waiting mail")
            status, state = health(web_port)
            assert (state["status"], state["queue"], state["database"]) == ("unavailable", "waiting too long", "ok")
            assert state["oldest_due_task_seconds"] >= 3
        finally:
            worker_log = stopped(worker, kill=True)
            web_log = stopped(web)
    assert handler.total() == 1
    # One line per record, with time, level and logger; no address and no personal link.
    for line in (web_log + worker_log).splitlines():
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+ ", line), line
    assert "@" not in web_log + worker_log and invitation.token not in web_log + worker_log


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def plain_get(port: int, path: str) -> tuple[int, bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": PUBLIC_HOST})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- The native libraries, and pinned installs --------------------------------------------------


def test_check_deploy_fails_naming_the_debian_packages_when_cairo_or_pango_cannot_be_loaded(monkeypatch):
    from django.core.checks.registry import registry

    from surveyproject import checks

    def load(module):
        if module == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")

    monkeypatch.setattr(checks, "load", load)
    errors = checks.native_libraries_check()
    assert [error.id for error in errors] == ["surveyproject.E001"]
    assert "Pango" in errors[0].msg and "libpango-1.0-0: cannot open shared object file" in errors[0].msg
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in errors[0].hint
    # Part of check --deploy, not of the plain check that every command runs.
    assert checks.native_libraries_check in registry.deployment_checks
    assert checks.native_libraries_check not in registry.registered_checks
    monkeypatch.undo()
    assert checks.native_libraries_check() == []  # this machine has them


def locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """Return {package: (version, hashes)} of the lock file *path*."""
    packages = {}
    for entry in re.split(r"\n(?=[a-z0-9])", path.read_text()):
        match = re.match(r"([a-z0-9][a-z0-9._-]*)==(\S+)", entry)
        if match:
            packages[match[1]] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", entry))
    return packages


def requirement_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"([A-Za-z0-9._-]+)(?:\[[\w,]+\])?==(\S+)", line)
        if match:
            pins[re.sub(r"[._]", "-", match[1]).lower()] = match[2]
    return pins


def test_the_locks_pin_every_requirement_with_hashes_and_ci_tests_what_production_installs():
    runtime, development = locked(ROOT / "requirements.lock"), locked(ROOT / "requirements-dev.lock")
    for lock in (runtime, development):
        assert all(hashes for _version, hashes in lock.values()), [name for name, (_v, h) in lock.items() if not h]
    # The lists people edit, and the locks made from them (make lock), agree.
    for requirements, lock in (("requirements.txt", runtime), ("requirements-dev.txt", development)):
        pins = requirement_pins(ROOT / requirements)
        assert {name: lock.get(name, ("missing",))[0] for name in pins} == pins, requirements
    assert len(runtime) > len(requirement_pins(ROOT / "requirements.txt"))  # the transitive ones too
    # Every package production installs is in CI's lock, at the same version with the same hashes.
    assert {name: development.get(name) for name in runtime} == runtime
    # make and CI install from the lock, hashes required.
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in makefile
    assert "--require-hashes -r requirements.lock" in (ROOT / ".ci" / "run").read_text()
