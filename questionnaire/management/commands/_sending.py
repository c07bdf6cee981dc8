"""What the send_invitations and send_reminders commands share."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from questionnaire.models import Round


def run(command, send, round_: Round) -> None:
    try:
        report = send(round=round_)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from error
    for invitation, error in report.failed:
        command.stderr.write(f"Failed: {invitation.library.name} <{invitation.library.email}>: {error}")
    command.stdout.write(f"{report.sent} mail(s) sent, {len(report.failed)} failed.")
    if report.failed:
        # A non-zero exit tells a scheduler to look; the failures are recorded and a rerun retries them.
        raise CommandError(f"{len(report.failed)} mail(s) failed; run the command again to retry them.")
