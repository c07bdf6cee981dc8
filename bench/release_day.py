"""Release day: the results are published, and everyone comes for the page and the report at once.

A round with ~100 libraries' submitted responses (``generate_responses``) is published today.
gunicorn serves the app and a worker (``manage.py db_worker``) runs beside it, as in production.
Then the readers come: each a new client without cookies, arriving at random within about a
minute, opens the public page (``/resultater/<slug>/``) and then the report
(``/resultater/<slug>/rapport.pdf``). Until the report of the present state is made, the app
answers 503 with Retry-After; a reader then waits (``--retry-wait``, 1 s: the header's 60 s
scaled down) and asks again, and the retries are counted.

Before the readers, the same number of clients with the same arrivals open Django's admin login
page (GET ``/admin/login/``): the floor, on the same server, in the same run.

Checks (the script exits non-zero if one fails): every page 200, every reader gets the PDF in
the end, no 5xx but the designed 503 (with Retry-After) of the report, and the report made
once: exactly one finished report-pdf job of the round with the "published" parameter, and no
other report job of the round. Goal: the page's p95 under 300 ms on a 2-core machine.

    python bench/release_day.py                 # 100 libraries, 200 readers within 60 s, gunicorn -w 4
    python bench/release_day.py --quick         # 100 libraries, 50 readers within 15 s
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

from common import APP_ENV, ROOT, Client, database_url, fresh_database, gunicorn, milliseconds, percentile


def worker(url: str, log):
    """Start ``manage.py db_worker`` as production does (borgerservice-worker.service); return the process."""
    env = {**os.environ, **APP_ENV, "DATABASE_URL": url}
    command = [sys.executable, "manage.py", "db_worker", "--interval", "1"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Tally:
    """What the readers saw: latencies, statuses, retries, failures (lists only: appends are thread-safe)."""

    def __init__(self):
        self.latencies = {"floor": [], "page": [], "pdf": [], "pdf 503": []}
        self.statuses = {"floor": [], "page": [], "pdf": []}
        self.retries, self.failures, self.waited, self.ready_at = [], [], [], []
        self.pages = []  # (seconds since the first reader came, the page's latency)


def reader(port, slug, tally, retry_wait, give_up, started):
    """One reader without cookies: the page, then the report, asking again after a 503 until it comes."""
    client = Client(port, timeout=60)
    came = time.monotonic() - started
    page = client.get(f"/resultater/{slug}/")
    tally.latencies["page"].append(page.seconds)
    tally.pages.append((came, page.seconds))
    tally.statuses["page"].append(page.status)
    if page.status != 200 or "rapport.pdf" not in page.body:
        tally.failures.append(f"page: HTTP {page.status}")
        return
    asked, retries = time.monotonic(), 0
    while True:
        reply = client.get(f"/resultater/{slug}/rapport.pdf")
        tally.statuses["pdf"].append(reply.status)
        if reply.status == 503 and reply.headers.get("Retry-After") and "Rapporten bliver lavet" in reply.body:
            tally.latencies["pdf 503"].append(reply.seconds)
            if time.monotonic() > give_up:
                tally.failures.append(f"report: still 503 after {retries} retries")
                return
            retries += 1
            time.sleep(retry_wait)
            continue
        if (
            reply.status != 200
            or reply.headers.get("Content-Type") != "application/pdf"
            or not reply.body.startswith("%PDF")
        ):
            tally.failures.append(f"report: HTTP {reply.status} {reply.headers.get('Content-Type')}")
            return
        tally.latencies["pdf"].append(reply.seconds)
        tally.retries.append(retries)
        tally.waited.append(time.monotonic() - asked)
        tally.ready_at.append(time.monotonic() - started)
        return


def floor(port, tally):
    reply = Client(port, timeout=60).get("/admin/login/")
    tally.latencies["floor"].append(reply.seconds)
    tally.statuses["floor"].append(reply.status)
    if reply.status != 200:
        tally.failures.append(f"admin login: HTTP {reply.status}")


def arrive(arrivals, target, *args):
    """Start a thread for each of *arrivals* (seconds from now) running *target(*args)*; wait for all."""
    started = time.monotonic()
    threads = []
    for at in arrivals:
        time.sleep(max(0.0, started + at - time.monotonic()))
        thread = threading.Thread(target=target, args=args)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def publish(libraries: int):
    """Open a round, give it *libraries* submitted responses, publish its results today; return it."""
    from django.utils import timezone

    from questionnaire.services.rounds import round_open
    from questionnaire.synthetic import responses_generate

    round_, _ = round_open(slug="udgivelse", title="Borgerservice-undersøgelsen (benchmark)")
    responses_generate(round=round_, count=libraries)
    round_.results_published_on = timezone.localdate()
    round_.save(update_fields=["results_published_on"])
    return round_


def report_jobs(round_) -> tuple[int, Counter]:
    """Return (finished report jobs of the published report, every report job of the round by status)."""
    from jobs.models import Job, JobStatus
    from results.public import REPORT_KIND

    jobs = Job.objects.filter(kind=REPORT_KIND, round=round_)
    done = jobs.filter(status=JobStatus.DONE, params__has_key="published").count()
    for job in jobs.order_by("pk"):
        print(f"job {job.pk}: {job.status} {job.params} created {job.created_at:%H:%M:%S.%f}")
    return done, Counter(jobs.values_list("status", flat=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--libraries", type=int, default=100, help="submitted responses (default 100)")
    parser.add_argument("--readers", type=int, default=200, help="readers, each a new client (default 200)")
    parser.add_argument("--within", type=float, default=60, help="they arrive within this many seconds (default 60)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4, as deploy/)")
    parser.add_argument("--retry-wait", type=float, default=1, help="seconds a reader waits after a 503 (default 1)")
    parser.add_argument("--timeout", type=float, default=300, help="a reader gives up on the report after this long")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the arrivals")
    parser.add_argument("--quick", action="store_true", help="50 readers within 15 s")
    args = parser.parse_args()
    if args.quick:
        args.readers, args.within = 50, 15

    rng = random.Random(args.seed)
    arrivals = sorted(rng.uniform(0, args.within) for _ in range(args.readers))
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="bench-release-") as folder:
        # The web and the worker share the jobs' files, as on one server.
        os.environ["JOB_FILES_DIR"] = folder
        with fresh_database(database_url("bs_bench_release")) as url:
            round_ = publish(args.libraries)
            with gunicorn(url, workers=args.workers) as port:
                floor_seconds = arrive(arrivals, floor, port, tally)
                with tempfile.TemporaryFile() as log:
                    process = worker(url, log)
                    try:
                        started = time.monotonic()
                        seconds = arrive(
                            arrivals, reader, port, round_.slug, tally, args.retry_wait, started + args.timeout, started
                        )
                    finally:
                        stop(process)
                        log.seek(0)
                        worker_log = log.read().decode(errors="replace")
            done, jobs = report_jobs(round_)

    failures = tally.failures
    print(
        f"{args.libraries} libraries, {args.readers} readers within {args.within:.0f} s, "
        f"gunicorn -w {args.workers}, a db_worker"
    )
    print(f"floor: {args.readers} requests in {floor_seconds:.1f} s; readers: all done in {seconds:.1f} s")
    for kind, values in tally.latencies.items():
        print(f"{kind:8} {milliseconds(values)}  max {1000 * max(values, default=0):6.1f} ms  ({len(values)})")
    floor_p95, page_p95 = percentile(tally.latencies["floor"], 0.95), percentile(tally.latencies["page"], 0.95)
    print(f"page p95 / floor p95: {page_p95 / floor_p95:.1f}x")
    if tally.ready_at:
        print(
            f"report: first served {min(tally.ready_at):.1f} s after the first reader came; "
            f"{sum(tally.retries)} retries after a 503 ({sum(1 for r in tally.retries if r)} readers waited, "
            f"at most {max(tally.retries)} retries, {max(tally.waited):.1f} s)"
        )
        ready = min(tally.ready_at)
        for when, pages in (
            ("while the report was made", [s for came, s in tally.pages if came < ready]),
            ("once it was there", [s for came, s in tally.pages if came >= ready]),
        ):
            print(f"page {when}: {milliseconds(pages)}  ({len(pages)})")
    for kind, statuses in tally.statuses.items():
        print(f"HTTP {kind}: " + ", ".join(f"{status}: {count}" for status, count in sorted(Counter(statuses).items())))
    print(f"report jobs of the round: {dict(jobs)}; finished with 'published': {done}")

    server_errors = sum(
        1
        for kind, statuses in tally.statuses.items()
        for status in statuses
        if status >= 500 and not (kind == "pdf" and status == 503)
    )
    if server_errors:
        failures.append(f"{server_errors} replies were 5xx (other than the report's 503)")
    if done != 1 or sum(jobs.values()) != 1:
        failures.append(f"the report was not made exactly once: {dict(jobs)}")
    if "Traceback" in worker_log:
        failures.append(f"the worker's log has tracebacks:\n{worker_log[-3000:]}")
    if page_p95 >= 0.3:
        print(f"GOAL NOT MET: the page's p95 is {1000 * page_p95:.0f} ms (goal under 300 ms)")
    for failure in failures[:20]:
        print("FAIL", failure)
    print("FAILED" if failures else "OK: every page 200, every reader got the report, made once; no other 5xx.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
