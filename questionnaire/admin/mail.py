"""Mail from the admin: a round's invitations and reminders, asked for first, and the report after."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..mail import SendReport, invitations_send, invitations_to_send, reminders_send, reminders_to_send
from .base import RoundPages, SendMailPermission, admin_path, require


def report_sending(model_admin, request, report: SendReport) -> None:
    """Tell the staff member how many mails went, and which libraries' failed."""
    model_admin.message_user(
        request, ngettext("%d mail sent.", "%d mails sent.", report.sent) % report.sent, messages.SUCCESS
    )
    if report.failed:
        libraries = ", ".join(invitation.library.name for invitation, _error in report.failed[:10])
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d mail failed (%(libraries)s); the error is shown on the invitation.",
                "%(count)d mails failed (%(libraries)s); the errors are shown on the invitations.",
                len(report.failed),
            )
            % {"count": len(report.failed), "libraries": libraries},
            messages.ERROR,
        )


class RoundMailPages(SendMailPermission, RoundPages):
    """RoundAdmin's pages and actions that send a round's invitations and reminders."""

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
            *super().get_urls(),
        ]

    def send_view(self, request, pk):
        round_ = self.round_or_404(request, pk)
        require(request, "send_mail")
        reminders = request.resolver_match.url_name.endswith("reminders")
        due = reminders_to_send(round_) if reminders else invitations_to_send(round_)
        if request.method == "POST":
            try:
                report = reminders_send(round=round_) if reminders else invitations_send(round=round_)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                report_sending(self, request, report)
            return redirect("admin:questionnaire_round_overview", round_.pk)
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
