"""What the management commands share: finding a round by its slug."""

from django.core.management.base import CommandError

from questionnaire.models import Round


def round_or_error(slug: str) -> Round:
    """Return the round *slug*, or stop the command with a message that says how to open it."""
    round_ = Round.objects.select_related("questionnaire").filter(slug=slug).first()
    if round_ is None:
        raise CommandError(f"No round {slug!r}. Open it first: manage.py open_round {slug}")
    return round_
