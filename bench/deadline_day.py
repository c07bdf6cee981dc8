"""Deadline day: several hundred libraries fill in the whole questionnaire at the same time.

Each library, played by one of a bounded pool of virtual users, opens its link, reads
and saves every section it is shown (answers from questionnaire.sample), reads the
review page and submits, against gunicorn and PostgreSQL on this machine. Afterwards
the database must hold, for every library, a submitted response with exactly the
answers that were posted, and no request may have had a 5xx. Prints throughput and
latency; exits non-zero if any check fails.

Without --think the users click as fast as the server answers: the throughput is the
capacity, and the latency mostly time spent queueing (users / throughput). With
--think 1 they pause a second before each page, nearer to people, still far more
at once than any real deadline day.

    python bench/deadline_day.py                      # 300 libraries, 50 virtual users, gunicorn -w 4
    python bench/deadline_day.py --libraries 100 --users 20
"""

import argparse
import queue
import random
import sys
import threading
import time
from collections import Counter

from common import (
    Client,
    database_url,
    form_answers,
    fresh_database,
    gunicorn,
    milliseconds,
    round_prepare,
    section_fields,
)

KINDS = ("landing GET", "section GET", "section POST", "review GET", "submit POST")


class Library:
    """One library's way through the questionnaire, step by step, checking each reply."""

    def __init__(self, port, token, sections, answers, latencies, statuses, think=0.0):
        self.client, self.token, self.answers = Client(port, timeout=60), token, answers
        self.sections, self.latencies, self.statuses, self.think = sections, latencies, statuses, think

    def step(self, kind, method, path, expected, fields=None, location=None):
        time.sleep(self.think)
        reply = self.client.request(method, path, fields)
        self.latencies[kind].append(reply.seconds)
        self.statuses.append(reply.status)
        if reply.status != expected or (location is not None and reply.location != location):
            raise AssertionError(f"{kind} {path}: HTTP {reply.status} {reply.location}, expected {expected} {location}")

    def fill_in(self):
        from questionnaire.conditions import visible_sections

        base = f"/s/{self.token}/"
        self.step("landing GET", "GET", base, 200)
        shown = visible_sections(self.sections, self.answers)
        paths = [f"{base}section/{section.code}/" for section in shown] + [f"{base}review/"]
        for section, path, following in zip(shown, paths, paths[1:], strict=False):
            self.step("section GET", "GET", path, 200)
            self.step("section POST", "POST", path, 302, section_fields(section, self.answers), location=following)
        self.step("review GET", "GET", f"{base}review/", 200)
        self.step("submit POST", "POST", f"{base}submit/", 302, [], location=base)


def run(port, jobs, sections, users, deadline, think):
    """Let *users* threads work through *jobs* [(token, answers)]; return (latencies, statuses, failures)."""
    todo = queue.Queue()
    for job in jobs:
        todo.put(job)
    # Lists only: threads append to them, which is safe without a lock.
    latencies, statuses, failures = {kind: [] for kind in KINDS}, [], []

    def user():
        while time.monotonic() < deadline:
            try:
                token, answers = todo.get_nowait()
            except queue.Empty:
                return
            try:
                Library(port, token, sections, answers, latencies, statuses, think).fill_in()
            except Exception as error:  # a wrong reply, a timeout, a dropped connection: count it, go on
                failures.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if not todo.empty():
        failures.append(f"time ran out with {todo.qsize()} libraries left")
    return latencies, Counter(statuses), failures


def stored_differences(invitations, expected) -> list[str]:
    """Return what the database holds differently from what each library posted and submitted."""
    from questionnaire.models import Response
    from questionnaire.services.answers import response_answers

    responses = {r.invitation_id: r for r in Response.objects.filter(invitation__in=invitations)}
    problems = []
    for invitation, answers in zip(invitations, expected, strict=True):
        response = responses.get(invitation.pk)
        if response is None or not response.is_submitted:
            problems.append(f"{invitation.library}: not submitted")
        elif (stored := response_answers(response)) != answers:
            codes = [code for code in answers.keys() | stored.keys() if answers.get(code) != stored.get(code)]
            diff = {code: (answers.get(code), stored.get(code)) for code in codes}
            problems.append(f"{invitation.library}: stored answers differ (posted, stored): {diff}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--libraries", type=int, default=300, help="libraries that answer (default 300)")
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users (default 50)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--think", type=float, default=0, help="seconds a user pauses before each page (default 0: no pause)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds (default 900)")
    parser.add_argument("--seed", type=int, default=2009, help="seed of the sample answers")
    args = parser.parse_args()

    with fresh_database(database_url("bs_bench_deadline")) as url:
        from questionnaire.sample import sample_answers

        _, invitations, sections = round_prepare(args.libraries)
        rng = random.Random(args.seed)
        expected = [form_answers(sample_answers(sections, rng)) for _ in invitations]
        jobs = [(invitation.token, answers) for invitation, answers in zip(invitations, expected, strict=True)]
        with gunicorn(url, workers=args.workers) as port:
            started = time.monotonic()
            deadline = started + args.timeout
            latencies, statuses, failures = run(port, jobs, sections, args.users, deadline, args.think)
            seconds = time.monotonic() - started
        failures += stored_differences(invitations, expected)

    requests = sum(statuses.values())
    every = [s for values in latencies.values() for s in values]
    print(f"{len(invitations)} libraries, {args.users} virtual users, think {args.think} s, gunicorn -w {args.workers}")
    rate, libraries_rate = requests / seconds, 60 * len(jobs) / seconds
    print(f"{requests} requests in {seconds:.1f} s: {rate:.1f} req/s, {libraries_rate:.0f} libraries/min")
    print(f"{'all requests':14} {milliseconds(every)}  max {1000 * max(every, default=0):6.1f} ms")
    for kind, values in latencies.items():
        print(f"{kind:14} {milliseconds(values)}  ({len(values)})")
    print("HTTP statuses: " + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items())))
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    if server_errors:
        failures.append(f"{server_errors} replies were 5xx")
    for failure in failures[:20]:
        print("FAIL", failure)
    print("FAILED" if failures else "OK: every library submitted, every answer stored as posted, no 5xx.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
