"""The fault test bench/db_restart.py passes: a stopped database gives the Danish 503 and recovers."""

import glob
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.slow
@pytest.mark.skipif(not glob.glob("/usr/lib/postgresql/*/bin/initdb"), reason="needs PostgreSQL's server programs")
def test_a_stopped_database_gives_a_503_and_the_app_recovers():
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "bench/db_restart.py"], cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
