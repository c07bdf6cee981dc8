"""The invitations of every round: who was sent what and how far each library has come.

Staff send one library its invitation or a reminder from here; a library's
answers are entered from here when staff take them by telephone.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..mail.outbox import invitation_resend, invitation_test_send, invitations_enqueue, reminders_enqueue
from ..models import Invitation, Mail, ResponseStatus, Round
from ..services.corrections import response_for_staff
from ..services.follow import invitation_status
from ..services.rounds import invitation_url
from .base import RoundChoices, RoundFilter, SendMailPermission, admin_path, require, short_time, yes_no_filter
from .mail import report_queued


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        # Capitalised as the statuses in the list are (ResponseStatus's labels).
        return tuple(
            (value, capfirst(label))
            for value, label in (
                ("not_sent", _("not sent")),
                ("not_opened", _("sent, not opened")),
                ("opened", _("opened, not started")),
                (ResponseStatus.DRAFT, ResponseStatus.DRAFT.label),
                (ResponseStatus.SUBMITTED, ResponseStatus.SUBMITTED.label),
                ("not_submitted", _("not submitted")),
            )
        )

    def queryset(self, request, queryset):
        no_response = Q(response__isnull=True)
        filters = {
            "not_sent": Q(sent_at__isnull=True) & no_response,
            "not_opened": Q(sent_at__isnull=False, first_opened_at__isnull=True) & no_response,
            "opened": Q(first_opened_at__isnull=False) & no_response,
            ResponseStatus.DRAFT: Q(response__status=ResponseStatus.DRAFT),
            ResponseStatus.SUBMITTED: Q(response__status=ResponseStatus.SUBMITTED),
            "not_submitted": ~Q(response__status=ResponseStatus.SUBMITTED) | no_response,
        }
        condition = filters.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


@admin.register(Invitation)
class InvitationAdmin(RoundChoices, SendMailPermission, admin.ModelAdmin):
    list_display = (
        "library",
        "municipality",
        "round",
        "library_email",
        "sent",
        "reminders",
        "status",
        "submitted",
    )
    # When the link was first opened and last saved is on each invitation's page: the list fits 1280 px.
    list_select_related = ("library__municipality", "round", "response")
    list_filter = (
        ("round", RoundFilter),
        InvitationStatusFilter,
        yes_no_filter(_("mail failed"), "mail_failed", ~Q(send_error="")),
        "library__municipality__region",
        "library__kind",
        "is_test",
    )
    search_fields = ("library__name", "library__email", "library__municipality__name", "=library__municipality__code")
    autocomplete_fields = ("library",)
    ordering = ("round", "library__municipality__name", "library__name")
    list_per_page = 100
    actions = ("send_invitation", "send_reminder")
    change_form_template = "admin/questionnaire/invitation/change_form.html"
    readonly_fields = (
        "personal_link",
        "created_at",
        "sent_at",
        "send_error",
        "reminder_count",
        "last_reminded_at",
        "first_opened_at",
        "last_saved",
        "submitted",
        "response_link",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("round", "library")
        return ("round", "library", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("round", "library", *self.readonly_fields)

    def get_list_display(self, request):
        # The round column only takes room when the list is of one round.
        if "round__id__exact" in request.GET or Round.objects.count() < 2:
            return tuple(name for name in self.list_display if name != "round")
        return self.list_display

    @admin.display(description=_("municipality"), ordering="library__municipality__name")
    def municipality(self, invitation):
        return invitation.library.municipality

    @admin.display(description=_("invitation sent"), ordering="sent_at")
    def sent(self, invitation):
        # A failed mail is marked here rather than in a column of its own (the list fits 1280 px).
        sent = short_time(invitation.sent_at) or "–"
        if not invitation.send_error:
            return sent
        return format_html(
            '<span class="nowrap">{}</span> <span class="survey-warning" title="{}">({})</span>',
            sent,
            invitation.send_error,
            _("mail failed"),
        )

    @admin.display(description=_("reminders sent"), ordering="reminder_count")
    def reminders(self, invitation):
        if not invitation.reminder_count:
            return 0
        return _("%(count)d, last %(date)s") % {
            "count": invitation.reminder_count,
            "date": date_format(timezone.localtime(invitation.last_reminded_at), "SHORT_DATE_FORMAT"),
        }

    @admin.display(description=_("first opened"), ordering="first_opened_at")
    def opened(self, invitation):
        return short_time(invitation.first_opened_at)

    @admin.display(description=_("e-mail"), ordering="library__email")
    def library_email(self, invitation):
        return invitation.library.email

    @admin.display(description=_("last saved"), ordering="response__last_saved_at")
    def last_saved(self, invitation):
        response = getattr(invitation, "response", None)
        return short_time(response.last_saved_at if response else None) or self.get_empty_value_display()

    @admin.display(description=_("submitted"), ordering="response__submitted_at")
    def submitted(self, invitation):
        response = getattr(invitation, "response", None)
        return short_time(response.submitted_at if response else None) or self.get_empty_value_display()

    @admin.display(description=_("status"))
    def status(self, invitation):
        return invitation_status(invitation)

    @admin.display(description=_("personal link"))
    def personal_link(self, invitation):
        return invitation_url(invitation)

    @admin.display(description=_("response"))
    def response_link(self, invitation):
        response = getattr(invitation, "response", None)
        if response is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:questionnaire_response_change", args=[response.pk]),
            _("Show the answers"),
        )

    def _enqueue(self, request, queryset, enqueue):
        for round_ in Round.objects.filter(invitations__in=queryset).distinct():
            try:
                batch = enqueue(round=round_, invitations=queryset.filter(round=round_), user=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            report_queued(self, request, batch, batch.mails.count())

    @admin.action(
        description=_("Send the invitation to selected libraries not yet invited by mail"), permissions=["send_mail"]
    )
    def send_invitation(self, request, queryset):
        self._enqueue(request, queryset, invitations_enqueue)

    @admin.action(description=_("Send a reminder to selected libraries that are due one"), permissions=["send_mail"])
    def send_reminder(self, request, queryset):
        self._enqueue(request, queryset, reminders_enqueue)

    def get_urls(self):
        return [
            admin_path(self, "<int:pk>/answer/", require_POST(self.answer_view), "answer"),
            admin_path(self, "<int:pk>/resend/", require_POST(self.resend_view), "resend"),
            admin_path(self, "<int:pk>/test/", require_POST(self.test_view), "test"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_edit_answers": request.user.has_perm("questionnaire.edit_answers"),
            "can_send": self.has_send_mail_permission(request),
            "mails": Mail.objects.filter(invitation_id=object_id).order_by("-created_at", "-pk")[:20]
            if str(object_id).isdigit()
            else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _queue_one(self, request, pk, queue, done):
        require(request, "send_mail")
        invitation = get_object_or_404(Invitation.objects.select_related("library", "round"), pk=pk)
        try:
            queue(invitation)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:questionnaire_invitation_change", invitation.pk)

    def resend_view(self, request, pk):
        """Queue this library's invitation once more (it lost the first, or its address was corrected)."""
        return self._queue_one(
            request,
            pk,
            lambda invitation: invitation_resend(invitation=invitation),
            _("The invitation is queued and goes out in a moment."),
        )

    def test_view(self, request, pk):
        """Queue this library's invitation, exactly as it reads, to the staff member's own address."""
        return self._queue_one(
            request,
            pk,
            lambda invitation: invitation_test_send(invitation=invitation, to=request.user.email),
            _("A test of the invitation is queued to %(email)s.") % {"email": request.user.email},
        )

    def answer_view(self, request, pk):
        """Start (or go to) the response to an invitation, to enter answers on the library's behalf."""
        require(request, "edit_answers")
        invitation = get_object_or_404(Invitation, pk=pk)
        response = response_for_staff(invitation=invitation)
        return redirect("admin:questionnaire_response_change", response.pk)
