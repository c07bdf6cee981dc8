"""Results at scale: the tallies, the results page and the Excel export for N submitted responses.

For each N (1 000, 10 000 and 100 000 by default) the script fills a round with
`generate_responses`, then measures:

- the tallies (results.tallies.round_results) and the results page: time and number of
  queries. Goal: the same small number of queries for every N.
- the Excel export (`export_results`, in a child process): wall time of writing the
  workbook and the child's peak memory, against the floor: openpyxl's write-only mode
  writing the same `Svar` rows with nothing else (rows fetched beforehand, untimed).
  Goal: within 1.5x of the floor, and memory flat in N.

    python bench/bench_results.py                  # 1 000, 10 000, 100 000 (several minutes)
    python bench/bench_results.py --sizes 1000 10000
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from common import APP_ENV, ROOT, database_url, fresh_database


def child(mode: str, slug: str, path: str, url: str) -> tuple[float, int]:
    """Run this script in *mode* in a child process; return (seconds it timed, its peak memory in MB)."""
    env = {**os.environ, **APP_ENV, "DATABASE_URL": url}
    process = subprocess.Popen(  # noqa: S603 - this very script
        [sys.executable, __file__, "--child", mode, slug, path], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{mode} child failed ({status}): {output}")
    return float(output.strip().splitlines()[-1]), usage.ru_maxrss // 1024


def run_child(mode: str, slug: str, path: str) -> None:
    """In the child: time one export (ours, or the floor) and print the seconds."""
    import django

    django.setup()
    from django.utils import timezone
    from openpyxl import Workbook

    from questionnaire.models import Round
    from results.excel import _answer_columns, answer_rows, workbook_write
    from results.tallies import Filters, round_questions, round_results

    round_ = Round.objects.get(slug=slug)
    if mode == "export":
        started = time.perf_counter()
        workbook_write(round=round_, filters=Filters(), handle=path)
    else:
        # The floor: the same rows, already in memory, written with nothing else.
        questions = round_questions(round_)
        columns = _answer_columns(questions)
        # Excel takes no time zones: made naive beforehand, as the export does per cell.
        rows = [
            [timezone.localtime(v).replace(tzinfo=None) if isinstance(v, datetime) else v for v in values]
            for values in answer_rows(round_results(round_, Filters()), questions, columns)
        ]
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Svar")
        for row in rows:
            sheet.append(row)
        workbook.save(path)
    print(time.perf_counter() - started)


def measure(size: int, url: str, repeat: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from questionnaire.services import round_open
    from questionnaire.synthetic import responses_generate
    from results.tallies import Filters, round_results

    slug = f"bench-{size}"
    round_, _ = round_open(slug=slug, title=f"Benchmark {size}")
    started = time.perf_counter()
    responses_generate(round=round_, count=size)
    generated = time.perf_counter() - started

    def timed(function):
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                function()
                times.append(time.perf_counter() - started)
        return statistics.median(times), len(queries)

    tallies = timed(lambda: round_results(round_, Filters()))
    staff = {"is_staff": True, "is_superuser": True}
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults=staff)
    client = Client()
    client.force_login(user)
    page_url = reverse("results:round", args=[slug])
    page = timed(lambda: client.get(page_url, HTTP_HOST="127.0.0.1"))

    with tempfile.TemporaryDirectory() as folder:
        export = child("export", slug, str(Path(folder) / "export.xlsx"), url)
        floor = child("floor", slug, str(Path(folder) / "floor.xlsx"), url)
    return {"size": size, "generated": generated, "tallies": tallies, "page": page, "export": export, "floor": floor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="timings of tallies and page, median taken")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "SLUG", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(*args.child)
        return

    url = database_url("bs_bench_results")
    rows = []
    with fresh_database(url):
        for size in args.sizes:
            result = measure(size, url, args.repeat)
            rows.append(result)
            print(f"N={size}: generated in {result['generated']:.1f} s", flush=True)

    print("\n| N | tallies | queries | results page | queries | export | floor | ratio | export peak memory |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        (export, memory), (floor, _floor_memory) = r["export"], r["floor"]
        print(
            f"| {r['size']:,} | {r['tallies'][0] * 1000:.0f} ms | {r['tallies'][1]} "
            f"| {r['page'][0] * 1000:.0f} ms | {r['page'][1]} "
            f"| {export:.2f} s | {floor:.2f} s | {export / floor:.2f}x | {memory} MB |"
        )
    ratio = max(r["export"][0] / r["floor"][0] for r in rows)
    page_queries = {r["page"][1] for r in rows}
    print(f"\nExport at most {ratio:.2f}x the floor (goal 1.5x); results page queries per N: {sorted(page_queries)}.")


if __name__ == "__main__":
    main()
