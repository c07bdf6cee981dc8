"""Production settings pass Django's deployment checks; pages carry a strict CSP."""

import os
import subprocess
import sys
from pathlib import Path

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
