"""Mail from the admin: a round's invitations and reminders, asked for first, then their progress.

Asking puts the mails on the queue and returns at once (a constant number of queries, however
many libraries); a worker sends them while the progress page refreshes itself.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..mail.outbox import invitations_enqueue, reminders_enqueue
from ..mail.progress import batch_sender_stopped, progress
from ..mail.recipients import invitations_to_send, reminders_to_send
from ..models import MailBatch, MailKind
from .base import RoundPages, SendMailPermission, admin_path, require

# Seconds between two refreshes of a progress page while its batch runs.
REFRESH_SECONDS = 3


def progress_url(batch: MailBatch) -> str:
    return reverse("admin:questionnaire_round_mail_progress", args=[batch.round_id, batch.pk])


def report_queued(model_admin, request, batch: MailBatch, queued: int) -> None:
    """Tell the staff member how many mails were queued, with a link to their progress."""
    if not queued:
        model_admin.message_user(request, _("Nothing to send: no library is due this mail."), messages.INFO)
        return
    text = ngettext(
        "%(count)d mail queued; a worker sends it.", "%(count)d mails queued; a worker sends them.", queued
    ) % {"count": queued}
    model_admin.message_user(
        request,
        format_html('{} <a href="{}">{}</a>', text, progress_url(batch), _("Follow the progress")),
        messages.SUCCESS,
    )


class RoundMailPages(SendMailPermission, RoundPages):
    """RoundAdmin's pages and actions that send a round's invitations and reminders, and follow them."""

    @admin.action(description=_("Send invitations (asks first)"), permissions=["send_mail"])
    def send_invitations(self, request, queryset):
        return self.one_round(request, queryset, "questionnaire_round_send_invitations")

    @admin.action(description=_("Send reminders (asks first)"), permissions=["send_mail"])
    def send_reminders(self, request, queryset):
        return self.one_round(request, queryset, "questionnaire_round_send_reminders")

    def get_urls(self):
        return [
            admin_path(self, "<int:pk>/send/invitations/", self.send_view, "send_invitations"),
            admin_path(self, "<int:pk>/send/reminders/", self.send_view, "send_reminders"),
            admin_path(self, "<int:pk>/mail/<int:batch>/", self.progress_view, "mail_progress"),
            *super().get_urls(),
        ]

    def send_view(self, request, pk):
        round_ = self.round_or_404(request, pk)
        require(request, "send_mail")
        reminders = request.resolver_match.url_name.endswith("reminders")
        if request.method == "POST":
            enqueue = reminders_enqueue if reminders else invitations_enqueue
            try:
                batch = enqueue(round=round_, user=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return redirect("admin:questionnaire_round_overview", round_.pk)
            if batch.is_finished:  # nothing was due
                report_queued(self, request, batch, 0)
                return redirect("admin:questionnaire_round_overview", round_.pk)
            return redirect(progress_url(batch))
        due = reminders_to_send(round_) if reminders else invitations_to_send(round_)
        title = _("Send reminders") if reminders else _("Send invitations")
        context = self.round_context(
            request,
            round_,
            title,
            reminders=reminders,
            count=due.count(),
            examples=due.select_related("library").order_by("library__name")[:10],
            is_open=round_.is_open(),
            reminder_interval=settings.REMINDER_INTERVAL_DAYS,
        )
        return TemplateResponse(request, "admin/questionnaire/round/confirm_send.html", context)

    def progress_view(self, request, pk, batch):
        round_ = self.round_or_404(request, pk)
        batch = get_object_or_404(MailBatch.objects.select_related("created_by"), pk=batch, round=round_)
        title = (_("Reminders: %(round)s") if batch.kind == MailKind.REMINDER else _("Invitations: %(round)s")) % {
            "round": round_.title
        }
        context = self.round_context(
            request,
            round_,
            title,
            batch=batch,
            progress=progress(batch.mails.all()),
            sender_stopped=batch_sender_stopped(batch),
            refresh_seconds=None if batch.is_finished else REFRESH_SECONDS,
        )
        return TemplateResponse(request, "admin/questionnaire/round/mail_progress.html", context)
