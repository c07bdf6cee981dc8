"""What the send_invitations and send_reminders commands share."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from questionnaire.models import Round


def add_now_argument(parser) -> None:
    parser.add_argument(
        "--now",
        action="store_true",
        help="Send here and now instead of queueing for the worker (temporary refusals still go to the queue).",
    )


def run(command, round_: Round, *, enqueue, send, now: bool) -> None:
    """Queue the mails (or, with --now, send them here) and say what happened."""
    try:
        if not now:
            batch = enqueue(round=round_)
            command.stdout.write(f"{batch.mails.count()} mail(s) queued (batch {batch.pk}); a worker sends them.")
            return
        report = send(round=round_)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from error
    for invitation, error in report.failed:
        command.stderr.write(f"Failed: {invitation.library.name} <{invitation.library.email}>: {error}")
    for invitation, error in report.retry:
        command.stderr.write(f"To be tried again: {invitation.library.name} <{invitation.library.email}>: {error}")
    command.stdout.write(
        f"{report.sent} mail(s) sent, {len(report.failed)} failed, {len(report.retry)} to be tried again by a worker."
    )
    if report.failed:
        # A non-zero exit tells a scheduler to look; the failures are recorded on the invitations.
        raise CommandError(f"{len(report.failed)} mail(s) failed; the server's answers are on the invitations.")
