"""Fault test: PostgreSQL stops while a library is answering, and starts again.

Runs a throwaway PostgreSQL cluster of its own (initdb in a temporary directory, its
own port; never the shared server) with the app under gunicorn on it. A library saves
section 1; the database stops; posting section 2 must give the Danish 503 page
("Undersøgelsen er kortvarigt utilgængelig") and save nothing; once the database is
back, posting section 2 again saves it, and every page works again. Exits non-zero on
any failure. As root it runs PostgreSQL's tools as the user postgres (runuser).

    python bench/db_restart.py
"""

import argparse
import glob
import os
import pwd
import random
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from common import (
    Client,
    database_url,
    form_answers,
    free_port,
    fresh_database,
    gunicorn,
    round_prepare,
    section_fields,
)

DANISH_503 = "Undersøgelsen er kortvarigt utilgængelig"


def postgres_bin() -> Path:
    """Return the bin directory of the newest PostgreSQL installed (Debian's layout)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise SystemExit("No PostgreSQL server binaries in /usr/lib/postgresql/*/bin.")
    return Path(found[-1]).parent


class Cluster:
    """A throwaway PostgreSQL cluster in *directory*, listening on 127.0.0.1:*port* only."""

    def __init__(self, directory: Path, port: int):
        self.directory, self.port, self.bin = directory, port, postgres_bin()
        self.data = str(directory / "data")
        # initdb refuses to run as root: run the tools as postgres then.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, tool: str, *args: str) -> None:
        """Run *tool* and wait for it (pg_ctl waits until the server has started or stopped)."""
        command = [*self.as_owner, str(self.bin / tool), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603

    def init(self) -> None:
        if self.as_owner:
            account = pwd.getpwnam("postgres")
            os.chown(self.directory, account.pw_uid, account.pw_gid)
        self.run("initdb", "-D", self.data, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync")

    def start(self) -> None:
        # Throwaway data: no fsync. The socket goes in our directory, not the shared /var/run/postgresql.
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", self.data, "-o", options, "-l", str(self.directory / "log"), "start")

    def stop(self) -> None:
        # Fast: the server ends every connection at once, as when it crashes or is restarted.
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "stop")

    def is_running(self) -> bool:
        command = [*self.as_owner, str(self.bin / "pg_ctl"), "-D", self.data, "status"]
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0  # noqa: S603


@contextmanager
def throwaway_cluster(port: int):
    directory = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    cluster = Cluster(directory, port)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.is_running():
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


class Check:
    """Count failed expectations, printing each as it is judged."""

    def __init__(self):
        self.failures = 0

    def __call__(self, ok: bool, what: str) -> None:
        print(("ok   " if ok else "FAIL ") + what)
        self.failures += not ok


def stored(invitation) -> dict:
    from django.db import connections

    from questionnaire.models import Response
    from questionnaire.services.answers import response_answers

    answers = response_answers(Response.objects.filter(invitation=invitation).first())
    connections.close_all()  # hold no connection while the database is stopped
    return answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-port", type=int, default=0, help="port of the throwaway PostgreSQL (default: a free one)")
    args = parser.parse_args()
    check = Check()

    with throwaway_cluster(args.pg_port or free_port()) as cluster:
        url = database_url("bs_fault", f"postgres://postgres@127.0.0.1:{cluster.port}/postgres")
        with fresh_database(url, drop=False):
            from questionnaire.conditions import visible_sections
            from questionnaire.sample import sample_answers

            _, (invitation, *_), sections = round_prepare(1)
            answers = form_answers(sample_answers(sections, random.Random(1)))
            first, second, third = visible_sections(sections, answers)[:3]
            expect_first = {q.code: answers[q.code] for q in first.questions.all() if q.code in answers}
            expect_second = {q.code: answers[q.code] for q in second.questions.all() if q.code in answers}
            base = f"/s/{invitation.token}/"

            with gunicorn(url, workers=2) as port:
                client = Client(port)
                check(client.get(base).status == 200, "landing page")
                check(client.get(f"{base}section/{first.code}/").status == 200, f"section {first.code}")
                reply = client.post(f"{base}section/{first.code}/", section_fields(first, answers))
                check(reply.status == 302, f"section {first.code} saved (HTTP {reply.status})")
                check(stored(invitation) == expect_first, f"section {first.code}'s answers are stored")

                cluster.stop()
                print("-- PostgreSQL stopped")
                for attempt in range(4):  # more than the workers: each meets the lost connection
                    reply = client.post(f"{base}section/{second.code}/", section_fields(second, answers))
                    check(
                        reply.status == 503 and DANISH_503 in reply.body and reply.headers["Retry-After"] == "30",
                        f"POST section {second.code} while stopped, try {attempt + 1}: HTTP {reply.status}",
                    )
                reply = client.get(f"{base}section/{second.code}/")
                check(reply.status == 503 and DANISH_503 in reply.body, f"GET while stopped: HTTP {reply.status}")

                cluster.start()
                print("-- PostgreSQL started again")
                check(stored(invitation) == expect_first, "nothing half-saved: only section 1's answers are stored")
                reply = client.post(f"{base}section/{second.code}/", section_fields(second, answers))
                check(
                    reply.status == 302 and reply.location == f"{base}section/{third.code}/",
                    f"POST section {second.code} again: HTTP {reply.status} {reply.location}",
                )
                check(stored(invitation) == expect_first | expect_second, f"section {second.code}'s answers are stored")
                pages = [base, f"{base}section/{first.code}/", f"{base}section/{second.code}/", f"{base}review/"]
                for path in pages * 2:  # twice: every worker serves some
                    reply = client.get(path)
                    check(reply.status == 200, f"GET {path.removeprefix(base) or 'landing'}: HTTP {reply.status}")

                # A restart while nobody is answering (say, a minor upgrade at night): the
                # workers' kept connections are dead, yet no library may meet a 503.
                cluster.stop()
                cluster.start()
                print("-- PostgreSQL restarted between two requests")
                for path in pages * 2:
                    reply = client.get(path)
                    check(reply.status == 200, f"GET {path.removeprefix(base) or 'landing'}: HTTP {reply.status}")

    print("FAILED" if check.failures else "OK: a stopped database gives the Danish 503, saves nothing, and recovers.")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
