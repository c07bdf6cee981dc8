from django.core.management import call_command
from django.core.management.base import BaseCommand

from jobs.housekeeping import housekeep
from jobs.services import jobs_prune
from questionnaire.mail.outbox import results_published_enqueue, scheduled_reminders_enqueue
from questionnaire.tasks import mail_resume


class Command(BaseCommand):
    help = (
        "The scheduled work, for one cron line (every 15 minutes is plenty; safe to run as often as one likes): "
        "queue the reminders of every round whose reminder day has come (Round.reminder_days), tell the "
        "libraries once when a round's results are published (Round.results_published_on), remove the "
        "personal data that is due (anonymise_round --due), queue again mail that a dead worker left, "
        "take over or stop background jobs whose worker stopped, delete background jobs (and their files) "
        "older than JOB_KEEP_HOURS, and clear away the queue's records of tasks finished TASK_RESULTS_KEEP_DAYS ago, "
        "expired sessions and the tasks of workers that died."
    )

    def handle(self, *args, **options):
        for batch in scheduled_reminders_enqueue():
            self.stdout.write(
                f"Reminders of {batch.round.slug} for {batch.scheduled_for:%Y-%m-%d}: {batch.mails.count()} queued."
            )
        for batch in results_published_enqueue():
            self.stdout.write(f"Results of {batch.round.slug} published: {batch.mails.count()} mail(s) queued.")
        call_command("anonymise_round", due=True, stdout=self.stdout, stderr=self.stderr)
        resumed = mail_resume()
        if resumed:
            self.stdout.write(f"{resumed} task(s) queued again for mail a stopped worker left.")
        pruned = jobs_prune()
        if pruned.stopped:
            self.stdout.write(f"{pruned.stopped} background job(s) no worker finished were stopped.")
        if pruned.resumed:
            self.stdout.write(f"{pruned.resumed} background job(s) whose worker stopped queued to be taken over.")
        if pruned.deleted:
            self.stdout.write(f"{pruned.deleted} old background job(s) and their files deleted.")
        kept = housekeep()
        if kept.dead_tasks:
            self.stdout.write(f"{kept.dead_tasks} task(s) whose worker stopped marked as failed.")
        if kept.task_results or kept.sessions:
            self.stdout.write(f"Deleted {kept.task_results} old task record(s) and {kept.sessions} expired session(s).")
