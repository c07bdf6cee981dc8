"""The report at scale: the PDF and the PowerPoint for N submitted responses, beside the tallies alone.

For each N (500 and 100 000 by default) the script fills a round with `generate_responses`,
then runs each of three things in a child process of its own, twice, the best kept: the
tallies alone (results.tallies.round_results, with the map, as the report reads them), the
PDF (`report_write(format="pdf")`) and the PowerPoint (`format="pptx"`). It prints wall time
and the child's peak memory. Goal: each file under 3 s at 500 responses; at 100 000 at most
5x the tallies' own time; memory flat in N.

    python bench/bench_report.py                    # 500 and 100 000 (generating 100 000 takes about a minute)
    python bench/bench_report.py --sizes 500 10000
"""

import argparse
import tempfile
import time
from pathlib import Path

from common import database_url, fresh_database, timed_child

MODES = ("tallies", "pdf", "pptx")


def child(mode: str, slug: str, path: str, url: str) -> tuple[float, int]:
    """Run this script in *mode* in a child process; return (seconds it timed, its peak memory in MB)."""
    return timed_child(__file__, mode, slug, path, url)


def run_child(mode: str, slug: str, path: str) -> None:
    """In the child: time the tallies or one report file, and print the seconds.

    The imports (WeasyPrint, python-pptx) and the questionnaire's cache are warmed before
    the clock starts, so that the times compare the work, not the start of a process.
    """
    import django

    django.setup()
    from questionnaire.models import Round
    from results.report import report_write  # noqa: F401 - imported before the clock
    from results.report.pdf import pdf_write  # noqa: F401
    from results.report.pptx import pptx_write  # noqa: F401
    from results.tallies import Filters, round_results

    round_ = Round.objects.select_related("questionnaire").get(slug=slug)
    started = time.perf_counter()
    if mode == "tallies":
        round_results(round_, Filters())
    else:
        from results.report import report_write

        report_write(round=round_, filters=Filters(), handle=path, format=mode)
    print(time.perf_counter() - started)


def measure(size: int, url: str) -> dict:
    from questionnaire.services.rounds import round_open
    from questionnaire.synthetic import responses_generate

    slug = f"bench-report-{size}"
    round_, _ = round_open(slug=slug, title=f"Benchmark {size}")
    started = time.perf_counter()
    responses_generate(round=round_, count=size)
    generated = time.perf_counter() - started
    runs = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(2):  # alternating, the best kept: a burst of load elsewhere spoils one run, not the ratio
            for mode in MODES:
                runs[mode].append(child(mode, slug, str(Path(folder) / f"rapport.{mode}"), url))
        sizes = {mode: (Path(folder) / f"rapport.{mode}").stat().st_size // 1024 for mode in ("pdf", "pptx")}
    best = {mode: min(times) for mode, times in runs.items()}
    return {"size": size, "generated": generated, **best, "files": sizes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 100_000])
    parser.add_argument("--child", nargs=3, metavar=("MODE", "SLUG", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(*args.child)
        return

    url = database_url("bs_bench_report")
    rows = []
    with fresh_database(url):
        for size in args.sizes:
            result = measure(size, url)
            rows.append(result)
            print(f"N={size}: generated in {result['generated']:.1f} s", flush=True)

    print("\n| N | tallies | memory | PDF | ratio | memory | file | PowerPoint | ratio | memory | file |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        (tallies, tallies_memory), (pdf, pdf_memory), (pptx, pptx_memory) = r["tallies"], r["pdf"], r["pptx"]
        print(
            f"| {r['size']:,} | {tallies:.2f} s | {tallies_memory} MB "
            f"| {pdf:.2f} s | {pdf / tallies:.1f}x | {pdf_memory} MB | {r['files']['pdf']} kB "
            f"| {pptx:.2f} s | {pptx / tallies:.1f}x | {pptx_memory} MB | {r['files']['pptx']} kB |"
        )


if __name__ == "__main__":
    main()
