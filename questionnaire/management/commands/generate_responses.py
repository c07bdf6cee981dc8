import time

from django.core.management.base import BaseCommand, CommandError

from questionnaire.management.lookup import round_or_error
from questionnaire.synthetic import RoundNotForSyntheticData, responses_generate


class Command(BaseCommand):
    help = (
        "Fill a round of its own with N realistic, submitted responses from synthetic libraries "
        "(for benchmarks and load tests). Refuses a round with real invitations or answers."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2009, help="same seed, same answers")

    def handle(self, *args, slug, count, seed, **options):
        round_ = round_or_error(slug)
        if count < 1:
            raise CommandError("--count must be at least 1.")
        started = time.perf_counter()
        try:
            made = responses_generate(
                round=round_, count=count, seed=seed, progress=lambda n: self.stderr.write(f"{n} responses …")
            )
        except RoundNotForSyntheticData as error:
            raise CommandError(
                f"Round {slug!r} has real libraries invited; made-up answers would mix with theirs. "
                "Open a round of its own for synthetic data."
            ) from error
        seconds = time.perf_counter() - started
        self.stdout.write(f"{made} synthetic responses added to {slug} in {seconds:.1f} s.")
