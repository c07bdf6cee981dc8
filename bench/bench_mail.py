"""Mail at scale: 1 000 invitations through the queue to a local SMTP server, against plain smtplib.

In one run, on one database (`bs_bench_mail`) and one local aiosmtpd server (in a process of
its own, accepting at once):

- the admin request "Send invitations" (POST, Django's test client in this process): its
  latency. Goal: under 1 s for 1 000 libraries.
- the worker (`manage.py db_worker`, started beforehand and idle, as in production): the
  time from that request until every mail is marked sent, so its throughput.
- the floor: smtplib sending the same messages (built beforehand, untimed) over one
  connection to the same server, with nothing else. Goal: the worker at 0.7x the floor or better.

    python bench/bench_mail.py                 # 1 000 libraries, best of 3 floor runs
    python bench/bench_mail.py --libraries 300
    python bench/bench_mail.py --delay 0.02 --floor-runs 1   # a server that takes 20 ms a message
"""

import argparse
import os
import signal
import smtplib
import subprocess
import sys
import time

from common import APP_ENV, ROOT, database_url, fresh_database, round_prepare

from tests.smtpserver import Handler, free_port, smtp_server


def serve_smtp(port: int, delay: float) -> None:
    """Run the SMTP server until terminated (the --smtp child)."""
    with smtp_server(Handler(delay=delay), port=port):
        signal.sigwait({signal.SIGTERM, signal.SIGINT})


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - this project's own scripts
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def floor(messages, port: int) -> float:
    """Send *messages* ((from, to, bytes)) over one smtplib connection; return the seconds it took."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for sender, to, data in messages:
            connection.sendmail(sender, [to], data)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--libraries", type=int, default=1000)
    parser.add_argument("--floor-runs", type=int, default=3)
    parser.add_argument(
        "--delay", type=float, default=0.0, help="seconds the server takes per message (a relay: 0.2 to 1)"
    )
    parser.add_argument("--smtp", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.smtp:
        return serve_smtp(options.smtp, options.delay)

    port = free_port()
    url = database_url("bs_bench_mail")
    env = {**os.environ, **APP_ENV, "DATABASE_URL": url, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    os.environ.update(EMAIL_URL=env["EMAIL_URL"])
    server = start([__file__, "--smtp", str(port), "--delay", str(options.delay)], env)
    worker = None
    try:
        wait_for_port(port)
        with fresh_database(url):
            from django.conf import settings
            from django.contrib.auth import get_user_model
            from django.db.models import Count, Q
            from django.test import Client
            from django.urls import reverse

            from questionnaire.mail.messages import mail_message
            from questionnaire.models import Library, Mail, MailBatch, MailStatus

            round_, invitations, _sections = round_prepare(options.libraries)
            for library in Library.objects.filter(active=True):
                library.email = f"lib{library.pk}@bench.example"
                library.save(update_fields=["email"])
            invitations = list(round_.invitations.select_related("library", "round"))
            messages = []
            for invitation in invitations:
                message = mail_message(invitation, "invitation")
                messages.append(
                    (settings.DEFAULT_FROM_EMAIL, message.to[0], message.message().as_bytes(linesep="\r\n"))
                )
            floors = [floor(messages, port) for _ in range(options.floor_runs)]

            staff = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(staff)
            worker = start(["manage.py", "db_worker", "--interval", "0.05", "--no-startup-delay", "-v", "0"], env)
            time.sleep(2)  # the worker is up and idle, as in production
            started = time.perf_counter()
            page = client.post(reverse("admin:questionnaire_round_send_invitations", args=[round_.pk]))
            request = time.perf_counter() - started
            assert page.status_code == 302, page.status_code
            batch = MailBatch.objects.get()
            while True:
                counts = batch.mails.aggregate(done=Count("pk", filter=Q(status=MailStatus.SENT)), total=Count("pk"))
                if counts["done"] == counts["total"]:
                    break
                if time.perf_counter() - started > 600:
                    raise SystemExit(f"The worker did not finish: {counts}")
                time.sleep(0.2)  # seldom, not to load the database the worker uses
            sent = time.perf_counter() - started
            assert Mail.objects.filter(status=MailStatus.SENT).count() == len(messages)
    finally:
        for process in (worker, server):
            if process and process.poll() is None:
                process.terminate()
                process.wait(10)

    best = min(floors)
    count = len(messages)
    print(f"{count} invitations to a local SMTP server (aiosmtpd, {options.delay:g} s a message), one worker")
    print(f"admin request (queue {count} mails):  {request * 1000:7.0f} ms")
    print(f"smtplib floor, one connection:     {best:7.2f} s  {count / best:7.0f} mails/s (best of {len(floors)})")
    print(f"worker, request to last mail sent: {sent:7.2f} s  {count / sent:7.0f} mails/s")
    print(f"worker's overhead over the floor: {(sent - best) / count * 1000:5.2f} ms a mail")
    print(f"ratio to the floor: {best / sent:.2f}x (goal 0.7x); request {'under' if request < 1 else 'OVER'} 1 s")


if __name__ == "__main__":
    main()
