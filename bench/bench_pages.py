"""Benchmark the questionnaire pages under gunicorn against Django's own admin login page.

The admin login page (GET /admin/login/) runs the same middleware, sessions and CSRF
on the same server, but no query: it is the framework's floor on this machine. A
section page (GET) and saving a section (POST with valid answers, answered by a 302)
are measured with the same number of requests and the same concurrency, in rounds
that alternate the order, so that a noisy machine treats all three alike. The figure
that counts is the ratio page/floor measured in the same run, the median of the
rounds' ratios (a burst of load elsewhere spoils one round, not the figure); the goal
is 0.8 or more.

    python bench/bench_pages.py            # 2 000 requests of each kind, 4 client threads
    python bench/bench_pages.py --quick    # 400 of each, for a quick look
"""

import argparse
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field

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

GOAL = 0.8


def active_answers(sections, seed: int) -> dict:
    """Return sample answers of a library with borgerservice, so that every section but "plans" is shown."""
    from questionnaire.sample import sample_answers

    rng = random.Random(seed)
    while True:
        answers = sample_answers(sections, rng)
        if answers["status"] == "active":
            return form_answers(answers)


def staff_session_create() -> str:
    """Return the session key of a signed-in superuser, for the reference page."""
    from django.contrib.auth import get_user_model
    from django.test import Client as DjangoClient

    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
    client = DjangoClient()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Visitor:
    """One client thread's library: its token, its answers and the sections it sees."""

    def __init__(self, port, invitation, sections, answers, staff_session):
        from questionnaire.conditions import visible_sections

        self.client = Client(port)
        self.staff = Client(port)
        self.staff.cookies["sessionid"] = staff_session
        self.library_change_path = f"/admin/questionnaire/library/{invitation.library_id}/change/"
        self.token = invitation.token
        self.answers = answers
        self.sections = visible_sections(sections, answers)

    def section_path(self, n):
        return f"/s/{self.token}/section/{self.sections[n % len(self.sections)].code}/"

    def floor(self, n):
        return self.client.get("/admin/login/"), 200

    def reference(self, n):
        return self.staff.get(self.library_change_path), 200

    def section_get(self, n):
        return self.client.get(self.section_path(n)), 200

    def section_post(self, n):
        section = self.sections[n % len(self.sections)]
        return self.client.post(self.section_path(n), section_fields(section, self.answers)), 302


FLOOR = "admin login (floor)"
# Not part of the goal: an admin page that, like a section page, reads rows and renders a
# form (a library's change form, signed in as staff), to show where the pages stand
# against the framework's own pages that do comparable work.
REFERENCE = "admin change form (reference)"
KINDS = {
    FLOOR: Visitor.floor,
    REFERENCE: Visitor.reference,
    "section GET": Visitor.section_get,
    "section POST": Visitor.section_post,
}
PAGES = ("section GET", "section POST")


@dataclass
class Tally:
    """What one kind of request gave over all rounds."""

    latencies: list = field(default_factory=list)
    seconds: float = 0.0
    errors: list = field(default_factory=list)
    round_rates: list = field(default_factory=list)
    ratio: float = 0.0  # to the floor: the median of the rounds' ratios

    def add(self, latencies, seconds, errors):
        self.latencies += latencies
        self.seconds += seconds
        self.errors += errors
        self.round_rates.append(len(latencies) / seconds)

    @property
    def rate(self):
        return len(self.latencies) / self.seconds


def run(visitors, kind, count):
    """Send *count* requests of *kind*, spread over the visitors' threads; return (latencies, seconds, errors)."""
    latencies, errors = [], []
    per_thread = count // len(visitors)

    def work(visitor):
        for n in range(per_thread):
            reply, expected = KINDS[kind](visitor, n)
            latencies.append(reply.seconds)
            if reply.status != expected:
                errors.append(f"{kind}: HTTP {reply.status}")

    threads = [threading.Thread(target=work, args=(visitor,)) for visitor in visitors]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests of each kind (default 2000)")
    parser.add_argument("--threads", type=int, default=4, help="concurrent client threads (default 4)")
    parser.add_argument("--rounds", type=int, default=10, help="rounds the requests are split into (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--quick", action="store_true", help="400 requests of each kind in 4 rounds")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 400, 4
    per_round = args.requests // args.rounds

    with fresh_database(database_url("bs_bench_pages")) as url:
        from questionnaire.services.responses import section_save

        _, invitations, sections = round_prepare(args.threads)
        answers = [active_answers(sections, seed) for seed in range(args.threads)]
        for invitation, library_answers in zip(invitations, answers, strict=True):
            for section in sections:  # a library that has answered everything: full forms
                values = {q.code: library_answers.get(q.code) for q in section.questions.all()}
                section_save(invitation=invitation, section=section, values=values)

        staff_session = staff_session_create()
        with gunicorn(url, workers=args.workers) as port:
            visitors = [Visitor(port, i, sections, a, staff_session) for i, a in zip(invitations, answers, strict=True)]
            for visitor in visitors:
                visitor.section_get(0)  # the CSRF cookie
            for kind in KINDS:  # warm up: templates loaded, connections open
                run(visitors, kind, 10 * len(visitors))
            tallies = {kind: Tally() for kind in KINDS}
            for number in range(args.rounds):
                shift = number % len(KINDS)
                for kind in [*KINDS][shift:] + [*KINDS][:shift]:
                    tallies[kind].add(*run(visitors, kind, per_round))

    print(f"{args.requests} requests of each kind in {args.rounds} rounds, {args.threads} client threads, ", end="")
    print(f"gunicorn -w {args.workers}")
    floor = tallies[FLOOR]
    for kind, tally in tallies.items():
        in_rounds = [rate / floor_rate for rate, floor_rate in zip(tally.round_rates, floor.round_rates, strict=True)]
        tally.ratio = statistics.median(in_rounds)
        print(
            f"{kind:30} {tally.rate:6.1f} req/s  {milliseconds(tally.latencies)}  "
            f"{tally.rate / floor.rate:4.2f}x floor; rounds: median {tally.ratio:4.2f}x, "
            f"{min(in_rounds):.2f}–{max(in_rounds):.2f}"
        )
        if tally.errors:
            print(f"  {len(tally.errors)} unexpected replies, e.g. {tally.errors[0]}")
    slowest = min(tallies[kind].ratio for kind in PAGES)
    verdict = "meets" if slowest >= GOAL else "is below"
    print(f"Slowest page {slowest:.2f}x the floor (median of rounds): {verdict} the goal of {GOAL}x.")
    failed = any(tally.errors for tally in tallies.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
