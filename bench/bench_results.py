"""Results at scale: the tallies, the results page and the Excel export for N submitted responses.

For each N (1 000, 10 000 and 100 000 by default) the script fills a round with
`generate_responses`, then measures:

- the tallies (results.tallies.round_results) and the results page: time and number of
  queries. Goal: the same small number of queries for every N.
- the Excel export (`export_results`, in a child process), labelled (the default) and with
  codes: wall time of writing the workbook and the child's peak memory, against the floor:
  openpyxl's write-only mode (through lxml, as the app's) writing the same rows of the same
  sheets with nothing else (read back from the exported file beforehand, untimed); and the
  fixed costs: the same workbook for a round without responses. Best of two runs each
  (``--runs``).
  Goal: the labelled workbook at 10 000 within 1.3x of its floor, the fixed costs at 1 000
  under a quarter of the total, memory flat in N.

    python bench/bench_results.py                  # 1 000, 10 000, 100 000 (several minutes)
    python bench/bench_results.py --sizes 1000 10000
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from common import child_report, database_url, fresh_database, timed_child


def child(mode: str, slug: str, path: str, url: str) -> tuple[float, int]:
    """Run this script in *mode* in a child process; return (seconds it timed, its peak memory in MB)."""
    return timed_child(__file__, mode, slug, path, url)


def run_child(mode: str, slug: str, path: str) -> None:
    """In the child: time one export (ours, or the floor) and print the seconds.

    The floor reads the workbook the export wrote (at *path* with ".source.xlsx" for ".xlsx") into memory,
    untimed, then writes the same rows of the same seven sheets with openpyxl's
    write-only mode and nothing else: no database, no tallies, no formats.
    """
    import django

    django.setup()
    from openpyxl import Workbook, load_workbook

    from questionnaire.models import Round
    from results.excel import workbook_write
    from results.tallies import Filters

    if mode in ("labels", "codes"):
        round_ = Round.objects.get(slug=slug)
        started = time.perf_counter()
        workbook_write(round=round_, filters=Filters(), handle=path, codes=mode == "codes")
    else:
        source = load_workbook(path.replace(".xlsx", ".source.xlsx"), read_only=True)
        sheets = [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in source]
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        for title, rows in sheets:
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
        workbook.save(path)
    print(time.perf_counter() - started)


def measure(size: int, url: str, repeat: int, runs: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from questionnaire.services.rounds import round_open
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

    # The fixed costs: the same workbook for a round of the same questionnaire without responses.
    empty = f"{slug}-empty"
    round_open(slug=empty, title=f"Benchmark {size} without responses")
    with tempfile.TemporaryDirectory() as folder:
        exported, written = Path(folder) / "export.xlsx", Path(folder) / "floor.xlsx"
        # Several times each, alternating, the best kept: a burst of load elsewhere spoils one run, not the ratio.
        times = {"labels": [], "floor": [], "codes": [], "codes floor": [], "fixed": []}
        for _ in range(runs):
            for mode, floor in (("labels", "floor"), ("codes", "codes floor")):
                times[mode].append(child(mode, slug, str(exported), url))
                exported.replace(written.with_suffix(".source.xlsx"))
                times[floor].append(child("floor", slug, str(written), url))
            times["fixed"].append(child("labels", empty, str(exported), url))
        best = {mode: min(runs) for mode, runs in times.items()}
    return {"size": size, "generated": generated, "tallies": tallies, "page": page, **best}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="timings of tallies and page, median taken")
    parser.add_argument("--runs", type=int, default=2, help="runs of each export and floor, the best kept")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "SLUG", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        with child_report():
            run_child(*args.child)
        return

    url = database_url("bs_bench_results")
    rows = []
    with fresh_database(url):
        for size in args.sizes:
            result = measure(size, url, args.repeat, args.runs)
            rows.append(result)
            print(f"N={size}: generated in {result['generated']:.1f} s", flush=True)

    print(
        "\n| N | tallies | queries | results page | queries | workbook (labels) | floor | ratio "
        "| with codes | floor | ratio | fixed costs | share fixed | peak memory | floor's | without responses |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        (labels, memory), (floor, floor_memory) = r["labels"], r["floor"]
        (codes, _m), (codes_floor, _m) = r["codes"], r["codes floor"]
        fixed, fixed_memory = r["fixed"]
        print(
            f"| {r['size']:,} | {r['tallies'][0] * 1000:.0f} ms | {r['tallies'][1]} "
            f"| {r['page'][0] * 1000:.0f} ms | {r['page'][1]} "
            f"| {labels:.2f} s | {floor:.2f} s | {labels / floor:.2f}x "
            f"| {codes:.2f} s | {codes_floor:.2f} s | {codes / codes_floor:.2f}x "
            f"| {fixed:.2f} s | {fixed / labels:.0%} | {memory} MB | {floor_memory} MB | {fixed_memory} MB |"
        )
    ratio = max(r["labels"][0] / r["floor"][0] for r in rows)
    page_queries = {r["page"][1] for r in rows}
    print(
        f"\nLabelled workbook at most {ratio:.2f}x the floor (goal 1.3x at 10 000); "
        f"results page queries per N: {sorted(page_queries)}."
    )


if __name__ == "__main__":
    main()
