"""Django admin for DB staff: the register, rounds, invitations and mail, responses.

Rights come from two groups (migration 0004): "Læsere" may look and export;
"Administratorer" may also change the register and rounds, send mail, correct
and reopen responses and remove personal data. Every custom view below is wrapped
in ``admin_site.admin_view`` (login and staff status required) and checks its
own permission.
"""

import io

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .conditions import chosen_labels, visible_sections
from .downloads import xlsx_response
from .forms import SectionForm
from .mail import (
    SendReport,
    invitations_send,
    invitations_to_send,
    invitations_without_email,
    reminders_send,
    reminders_to_send,
)
from .models import (
    Answer,
    Invitation,
    Library,
    Municipality,
    Questionnaire,
    Response,
    ResponseChange,
    ResponseStatus,
    Round,
)
from .register import RegisterImportError, register_import, register_write_csv, register_write_xlsx
from .services import (
    PERSONAL_QUESTION_CODES,
    IncompleteResponse,
    answer_summary,
    invitation_url,
    invitations_create,
    questionnaire_sections,
    response_answers,
    response_for_staff,
    response_reopen,
    response_submit_by_staff,
    round_anonymise,
    staff_section_save,
)
from .tracking import invitation_status, non_respondents_write_xlsx, round_non_respondents, round_overview

admin.site.site_header = _("The Borgerservice survey – administration")
admin.site.site_title = _("The Borgerservice survey")
admin.site.index_title = _("Run the survey")


def _require(request: HttpRequest, *permissions: str) -> None:
    if not request.user.has_perms([f"questionnaire.{permission}" for permission in permissions]):
        raise PermissionDenied


def _yes_no_filter(title, parameter, condition):
    """Return a list filter with the choices yes and no for the Q object *condition*."""

    class YesNoFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            return (("yes", _("Yes")), ("no", _("No")))

        def queryset(self, request, queryset):
            if self.value() == "yes":
                return queryset.filter(condition)
            if self.value() == "no":
                return queryset.exclude(condition)
            return queryset

    YesNoFilter.title = title
    YesNoFilter.parameter_name = parameter
    return YesNoFilter


# --- The register ------------------------------------------------------------------------


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "library_count")
    list_filter = ("region",)
    search_fields = ("code", "name")
    ordering = ("code",)
    fields = ("code", "name", "region", "latitude", "longitude")
    readonly_fields = ("code",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(library_count=Count("libraries"))

    @admin.display(description=_("libraries"), ordering="library_count")
    def library_count(self, municipality):
        return municipality.library_count

    # The 98 municipalities are reference data, loaded by a migration.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel or CSV file"),
        help_text=_("Header row: kommunekode, kommune, region, navn, type, email."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "municipality", "region", "email", "active")
    list_filter = (
        "municipality__region",
        "kind",
        "active",
        _yes_no_filter(_("has e-mail"), "has_email", ~Q(email="")),
        ("municipality", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("name", "email", "municipality__name", "=municipality__code")
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)
    ordering = ("municipality__name", "name")
    list_per_page = 100
    actions = ("make_active", "make_inactive")
    change_list_template = "admin/questionnaire/library/change_list.html"

    @admin.display(description=_("region"), ordering="municipality__region")
    def region(self, library):
        return library.municipality.get_region_display()

    @admin.action(description=_("Mark selected libraries as active"), permissions=["change"])
    def make_active(self, request, queryset):
        count = queryset.update(active=True)
        self.message_user(request, ngettext("%d library marked active.", "%d libraries marked active.", count) % count)

    @admin.action(description=_("Mark selected libraries as inactive (not invited)"), permissions=["change"])
    def make_inactive(self, request, queryset):
        count = queryset.update(active=False)
        self.message_user(
            request, ngettext("%d library marked inactive.", "%d libraries marked inactive.", count) % count
        )

    def get_urls(self):
        return [
            admin_path(self, "export/", self.export_view, "export"),
            admin_path(self, "import/", self.import_view, "import"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export": request.user.has_perm("questionnaire.export_library"),
            "can_import": request.user.has_perms(["questionnaire.add_library", "questionnaire.change_library"]),
        }
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        _require(request, "export_library")
        stamp = timezone.localdate().isoformat()
        if request.GET.get("format") == "csv":
            text = io.StringIO()
            register_write_csv(text)
            response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="biblioteker-{stamp}.csv"'
            return response
        return xlsx_response(register_write_xlsx, f"biblioteker-{stamp}.xlsx")

    def import_view(self, request):
        _require(request, "add_library", "change_library")
        problems = []
        form = RegisterUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = register_import(data=upload.read(), filename=upload.name)
            except RegisterImportError as error:
                problems = error.problems
            else:
                self.message_user(
                    request,
                    _("The register was imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
                    % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
                    messages.SUCCESS,
                )
                return redirect("admin:questionnaire_library_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import the register of libraries"),
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/questionnaire/library/import.html", context)


# --- Questionnaire versions (read only: they change through their definition file) ------


def admin_path(model_admin: admin.ModelAdmin, route: str, view, name: str):
    """Return an extra admin page of *model_admin*: behind the admin's login, named like Django's own."""
    return path(
        route,
        model_admin.admin_site.admin_view(view),
        name=f"{model_admin.opts.app_label}_{model_admin.opts.model_name}_{name}",
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin for records that are only looked at: nobody adds, changes or deletes here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ("title", "code", "version", "created_at")
    fields = ("title", "code", "version", "intro", "purpose", "privacy", "created_at")
    readonly_fields = fields


# --- Rounds -------------------------------------------------------------------------------


def holds_personal_data():
    """Return an expression: whether a round still holds contact persons' details."""
    personal = Q(question__code__in=PERSONAL_QUESTION_CODES)
    answers = Answer.objects.filter(personal, response__invitation__round=OuterRef("pk"))
    history = ResponseChange.objects.filter(personal, response__invitation__round=OuterRef("pk")).exclude(
        old_value="", new_value=""
    )
    return Exists(answers) | Exists(history)


def results_url(round_: Round) -> str:
    return reverse("results:round", args=[round_.slug])


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "slug",
        "opens_at",
        "closes_at",
        "invited_count",
        "submitted_count",
        "personal_data",
        "links",
    )
    list_filter = (_yes_no_filter(_("holds personal data"), "personal_data", Q(personal_data_held=True)),)
    search_fields = ("title", "slug")
    date_hierarchy = "opens_at"
    actions = ("send_invitations", "send_reminders", "anonymise")
    change_form_template = "admin/questionnaire/round/change_form.html"

    def get_queryset(self, request):
        submitted = Q(invitations__response__status=ResponseStatus.SUBMITTED)
        return (
            super()
            .get_queryset(request)
            .select_related("questionnaire")
            .annotate(
                invited=Count("invitations", distinct=True),
                submitted=Count("invitations", filter=submitted, distinct=True),
                personal_data_held=holds_personal_data(),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        fields = ["created_at", "personal_data_removed_at"]
        if obj is not None:
            # Links, commands and the results page name the round by its slug; its
            # answers only mean something with the questionnaire they were given to.
            fields += ["slug"]
            if obj.invitations.exists():
                fields += ["questionnaire"]
        return fields

    def get_fields(self, request, obj=None):
        return ("title", "slug", "questionnaire", "opens_at", "closes_at", "created_at", "personal_data_removed_at")

    @admin.display(description=_("invited"), ordering="invited")
    def invited_count(self, round_):
        return round_.invited

    @admin.display(description=_("submitted"), ordering="submitted")
    def submitted_count(self, round_):
        return round_.submitted

    @admin.display(description=_("holds personal data"), boolean=True, ordering="personal_data_held")
    def personal_data(self, round_):
        return round_.personal_data_held

    @admin.display(description=_("follow"))
    def links(self, round_):
        overview = format_html(
            '<a href="{}">{}</a>', reverse("admin:questionnaire_round_overview", args=[round_.pk]), _("Overview")
        )
        return format_html('{} · <a href="{}">{}</a>', overview, results_url(round_), _("Results"))

    # Permissions for actions and views beyond add/change/delete/view.

    def has_invite_permission(self, request):
        return request.user.has_perm("questionnaire.add_invitation")

    def has_send_mail_permission(self, request):
        return request.user.has_perm("questionnaire.send_mail")

    def has_anonymise_permission(self, request):
        return request.user.has_perm("questionnaire.anonymise_round")

    def has_export_permission(self, request):
        return request.user.has_perm("questionnaire.export_round")

    def _one_round(self, request, queryset, view_name):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one round."), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse(f"admin:{view_name}", args=[queryset.get().pk]))

    @admin.action(description=_("Send invitations (asks first)"), permissions=["send_mail"])
    def send_invitations(self, request, queryset):
        return self._one_round(request, queryset, "questionnaire_round_send_invitations")

    @admin.action(description=_("Send reminders (asks first)"), permissions=["send_mail"])
    def send_reminders(self, request, queryset):
        return self._one_round(request, queryset, "questionnaire_round_send_reminders")

    @admin.action(description=_("Remove personal data (asks first)"), permissions=["anonymise"])
    def anonymise(self, request, queryset):
        return self._one_round(request, queryset, "questionnaire_round_anonymise")

    def get_urls(self):
        return [
            admin_path(self, "<int:pk>/overview/", self.overview_view, "overview"),
            admin_path(self, "<int:pk>/overview/not-answered.xlsx", self.non_respondents_view, "non_respondents"),
            admin_path(self, "<int:pk>/invite/", self.invite_view, "invite"),
            admin_path(self, "<int:pk>/send/invitations/", self.send_view, "send_invitations"),
            admin_path(self, "<int:pk>/send/reminders/", self.send_view, "send_reminders"),
            admin_path(self, "<int:pk>/anonymise/", self.anonymise_view, "anonymise"),
            *super().get_urls(),
        ]

    def _round(self, request, pk) -> Round:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Round, pk=pk)

    def _context(self, request, round_, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": round_,
            "round": round_,
            "title": title,
            **extra,
        }

    def overview_view(self, request, pk):
        round_ = self._round(request, pk)
        overview = round_overview(round_)
        context = self._context(
            request,
            round_,
            _("Overview: %(round)s") % {"round": round_.title},
            overview=overview,
            rows=[overview.total, *overview.regions],
            non_respondents=round_non_respondents(round_),
            to_invite=invitations_to_send(round_).count(),
            to_remind=reminders_to_send(round_).count(),
            without_email=invitations_without_email(round_).count(),
            failed=round_.invitations.exclude(send_error="").count(),
            not_invited=Library.objects.active().exclude(invitations__round=round_).count(),
            results_url=results_url(round_),
            can_send=self.has_send_mail_permission(request),
            can_invite=self.has_invite_permission(request),
            can_export=self.has_export_permission(request),
            can_anonymise=self.has_anonymise_permission(request),
            reminder_interval=_reminder_interval(),
        )
        return TemplateResponse(request, "admin/questionnaire/round/overview.html", context)

    def non_respondents_view(self, request, pk):
        round_ = self._round(request, pk)
        _require(request, "export_round")
        return xlsx_response(
            lambda handle: non_respondents_write_xlsx(round=round_, handle=handle),
            f"ikke-svaret-{round_.slug}-{timezone.localdate().isoformat()}.xlsx",
        )

    def invite_view(self, request, pk):
        round_ = self._round(request, pk)
        if request.method != "POST":
            return redirect("admin:questionnaire_round_overview", round_.pk)
        _require(request, "add_invitation")
        created = invitations_create(round=round_)
        self.message_user(
            request,
            ngettext("%d library invited.", "%d libraries invited.", len(created)) % len(created),
            messages.SUCCESS,
        )
        return redirect("admin:questionnaire_round_overview", round_.pk)

    def send_view(self, request, pk):
        round_ = self._round(request, pk)
        _require(request, "send_mail")
        reminders = request.resolver_match.url_name.endswith("reminders")
        due = reminders_to_send(round_) if reminders else invitations_to_send(round_)
        if request.method == "POST":
            try:
                report = reminders_send(round=round_) if reminders else invitations_send(round=round_)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                _report_sending(self, request, report)
            return redirect("admin:questionnaire_round_overview", round_.pk)
        title = _("Send reminders") if reminders else _("Send invitations")
        context = self._context(
            request,
            round_,
            title,
            reminders=reminders,
            count=due.count(),
            examples=due.select_related("library").order_by("library__name")[:10],
            is_open=round_.is_open(),
            reminder_interval=_reminder_interval(),
        )
        return TemplateResponse(request, "admin/questionnaire/round/confirm_send.html", context)

    def anonymise_view(self, request, pk):
        round_ = self._round(request, pk)
        _require(request, "anonymise_round")
        if request.method == "POST":
            try:
                removed = round_anonymise(round=round_)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Personal data removed: %d answer deleted.",
                        "Personal data removed: %d answers deleted.",
                        removed,
                    )
                    % removed,
                    messages.SUCCESS,
                )
            return redirect("admin:questionnaire_round_overview", round_.pk)
        context = self._context(
            request,
            round_,
            _("Remove personal data"),
            has_closed=round_.has_closed(),
            questions=PERSONAL_QUESTION_CODES,
        )
        return TemplateResponse(request, "admin/questionnaire/round/confirm_anonymise.html", context)


def _reminder_interval() -> int:
    return settings.REMINDER_INTERVAL_DAYS


def _report_sending(model_admin, request, report: SendReport) -> None:
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


# --- Invitations ---------------------------------------------------------------------------


def _short(moment) -> str | None:
    """Return *moment* as a short local date and time (31.08.09 14:05): list columns are narrow."""
    return date_format(timezone.localtime(moment), "d.m.y H:i") if moment else None


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (
            ("not_sent", _("not sent")),
            ("not_opened", _("sent, not opened")),
            ("opened", _("opened, not started")),
            (ResponseStatus.DRAFT, _("in progress")),
            (ResponseStatus.SUBMITTED, _("submitted")),
            ("not_submitted", _("not submitted")),
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
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "library",
        "municipality",
        "round",
        "library_email",
        "sent",
        "mail_failed",
        "reminders",
        "opened",
        "last_saved",
        "submitted",
        "status",
    )
    list_select_related = ("library__municipality", "round", "response")
    list_filter = (
        "round",
        InvitationStatusFilter,
        _yes_no_filter(_("mail failed"), "mail_failed", ~Q(send_error="")),
        "library__municipality__region",
        "library__kind",
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
        return _short(invitation.sent_at)

    @admin.display(description=_("reminders sent"), ordering="reminder_count")
    def reminders(self, invitation):
        if not invitation.reminder_count:
            return 0
        return _("%(count)d, last %(date)s") % {
            "count": invitation.reminder_count,
            "date": _short(invitation.last_reminded_at),
        }

    @admin.display(description=_("first opened"), ordering="first_opened_at")
    def opened(self, invitation):
        return _short(invitation.first_opened_at)

    @admin.display(description=_("e-mail"), ordering="library__email")
    def library_email(self, invitation):
        return invitation.library.email

    @admin.display(description=_("mail failed"), boolean=True)
    def mail_failed(self, invitation):
        return bool(invitation.send_error)

    @admin.display(description=_("last saved"), ordering="response__last_saved_at")
    def last_saved(self, invitation):
        response = getattr(invitation, "response", None)
        return _short(response.last_saved_at) if response else None

    @admin.display(description=_("submitted"), ordering="response__submitted_at")
    def submitted(self, invitation):
        response = getattr(invitation, "response", None)
        return _short(response.submitted_at) if response else None

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

    def has_send_mail_permission(self, request):
        return request.user.has_perm("questionnaire.send_mail")

    def _send(self, request, queryset, send):
        report = SendReport()
        for round_ in Round.objects.filter(invitations__in=queryset).distinct():
            try:
                part = send(round=round_, invitations=queryset.filter(round=round_))
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            report.sent += part.sent
            report.failed += part.failed
        _report_sending(self, request, report)

    @admin.action(
        description=_("Send the invitation to selected libraries not yet invited by mail"), permissions=["send_mail"]
    )
    def send_invitation(self, request, queryset):
        self._send(request, queryset, invitations_send)

    @admin.action(description=_("Send a reminder to selected libraries that are due one"), permissions=["send_mail"])
    def send_reminder(self, request, queryset):
        self._send(request, queryset, reminders_send)

    def get_urls(self):
        return [
            admin_path(self, "<int:pk>/answer/", require_POST(self.answer_view), "answer"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_edit_answers": request.user.has_perm("questionnaire.edit_answers"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def answer_view(self, request, pk):
        """Start (or go to) the response to an invitation, to enter answers on the library's behalf."""
        _require(request, "edit_answers")
        invitation = get_object_or_404(Invitation, pk=pk)
        response = response_for_staff(invitation=invitation)
        return redirect("admin:questionnaire_response_change", response.pk)


# --- Responses ---------------------------------------------------------------------------


class StaffChangeForm(forms.Form):
    prefix = "staff"
    reason = forms.CharField(
        label=_("Reason for the change"),
        help_text=_("For example “telephone interview 3 May” or “corrected at the library's request”."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def __init__(self, *args, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("library", "municipality", "round", "status", "started_at", "last_saved_at", "submitted_at")
    list_select_related = ("invitation__library__municipality", "invitation__round")
    list_filter = ("invitation__round", "status", "invitation__library__municipality__region")
    search_fields = ("invitation__library__name", "invitation__library__municipality__name")
    ordering = ("-last_saved_at",)
    list_per_page = 100

    @admin.display(description=_("library"), ordering="invitation__library__name")
    def library(self, response):
        return response.invitation.library

    @admin.display(description=_("municipality"), ordering="invitation__library__municipality__name")
    def municipality(self, response):
        return response.invitation.library.municipality

    @admin.display(description=_("round"), ordering="invitation__round")
    def round(self, response):
        return response.invitation.round

    # Answers change only through the views below, each of which keeps a history.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            admin_path(self, "<int:pk>/edit/<slug:section>/", self.edit_view, "edit"),
            admin_path(self, "<int:pk>/reopen/", self.reopen_view, "reopen"),
            admin_path(self, "<int:pk>/submit/", require_POST(self.submit_view), "submit"),
            *super().get_urls(),
        ]

    def _response(self, request, pk) -> Response:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(
            Response.objects.select_related("invitation__library__municipality", "invitation__round__questionnaire"),
            pk=pk,
        )

    def _context(self, request, response, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": response,
            "response": response,
            "invitation": response.invitation,
            "round": response.invitation.round,
            "title": title,
            **extra,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Show the answers by section, with question and choice labels, and the history of staff changes."""
        if not object_id.isdigit():
            raise Http404
        response = self._response(request, object_id)
        round_ = response.invitation.round
        sections = questionnaire_sections(round_.questionnaire)
        answers = response_answers(response)
        locked = round_.personal_data_removed_at is not None
        context = self._context(
            request,
            response,
            str(response.invitation.library),
            summary=answer_summary(sections, answers),
            changes=response.changes.select_related("question", "changed_by"),
            can_edit=request.user.has_perm("questionnaire.edit_answers") and not locked,
            can_reopen=request.user.has_perm("questionnaire.reopen_response") and response.is_submitted and not locked,
            locked=locked,
        )
        return TemplateResponse(request, "admin/questionnaire/response/detail.html", context)

    def edit_view(self, request, pk, section):
        """Enter or correct one section's answers on the library's behalf."""
        _require(request, "edit_answers")
        response = self._response(request, pk)
        round_ = response.invitation.round
        sections = questionnaire_sections(round_.questionnaire)
        answers = response_answers(response)
        current = next((s for s in visible_sections(sections, answers) if s.code == section), None)
        if current is None:
            raise Http404
        submitted = response.is_submitted
        data = request.POST if request.method == "POST" else None
        form = SectionForm(data, sections=sections, section=current, answers=answers, require_answers=submitted)
        change_form = StaffChangeForm(data, reason_required=submitted)
        if request.method == "POST" and form.is_valid() and change_form.is_valid():
            try:
                changes = staff_section_save(
                    response=response,
                    section=current,
                    values=form.answer_values(),
                    user=request.user,
                    reason=change_form.cleaned_data["reason"],
                )
            except IncompleteResponse as error:
                form.add_error(
                    None,
                    _(
                        "This change makes required questions appear that have no answer: %(questions)s. "
                        "Reopen the response first to enter them."
                    )
                    % {"questions": "; ".join(question.label for question in error.missing)},
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return redirect("admin:questionnaire_response_change", response.pk)
            else:
                self.message_user(
                    request,
                    ngettext("%d answer changed.", "%d answers changed.", len(changes)) % len(changes),
                    messages.SUCCESS,
                )
                return redirect("admin:questionnaire_response_change", response.pk)
        notes = _condition_notes(current)
        context = self._context(
            request,
            response,
            _("Change answers: %(section)s") % {"section": current.title},
            section=current,
            form=form,
            change_form=change_form,
            fields=[(form[name], notes.get(name)) for name in form.fields],
        )
        return TemplateResponse(request, "admin/questionnaire/response/edit_section.html", context)

    def reopen_view(self, request, pk):
        _require(request, "reopen_response")
        response = self._response(request, pk)
        form = StaffChangeForm(request.POST or None, reason_required=True)
        if request.method == "POST" and form.is_valid():
            try:
                response_reopen(response=response, user=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("The response is open again: the library can change it through its link."),
                    messages.SUCCESS,
                )
            return redirect("admin:questionnaire_response_change", response.pk)
        context = self._context(request, response, _("Reopen the response"), form=form)
        return TemplateResponse(request, "admin/questionnaire/response/reopen.html", context)

    def submit_view(self, request, pk):
        _require(request, "edit_answers")
        response = self._response(request, pk)
        try:
            response_submit_by_staff(response=response, user=request.user, reason=request.POST.get("reason", ""))
        except IncompleteResponse as error:
            self.message_user(
                request,
                _("Not submitted: required questions have no answer: %(questions)s.")
                % {"questions": "; ".join(question.label for question in error.missing)},
                messages.ERROR,
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("The response was submitted on the library's behalf."), messages.SUCCESS)
        return redirect("admin:questionnaire_response_change", response.pk)


def _condition_notes(section) -> dict:
    """Return {question code: note} for questions shown only after an answer on the same page.

    The respondents' page hides and shows these live; this admin page shows them all.
    """
    questions = {question.code: question for question in section.questions.all()}
    notes = {}
    for question in section.questions.all():
        condition = question.show_if
        if not condition or condition["question"] not in questions:
            continue
        source = questions[condition["question"]]
        if "any_of" in condition:
            notes[question.code] = _("Only if “%(question)s” is answered “%(choices)s”.") % {
                "question": source.label,
                "choices": chosen_labels(condition, source),
            }
        else:
            notes[question.code] = _("Only if “%(question)s” is answered.") % {"question": source.label}
    return notes


@admin.register(ResponseChange)
class ResponseChangeAdmin(ReadOnlyAdmin):
    """The history of staff changes is a record: it is only looked at."""

    list_display = ("changed_at", "library", "round", "kind", "question_code", "old_value", "new_value", "changed_by")
    list_select_related = ("response__invitation__library", "response__invitation__round", "question", "changed_by")
    list_filter = ("kind", "response__invitation__round", ("changed_by", admin.RelatedOnlyFieldListFilter))
    search_fields = ("response__invitation__library__name", "question__code", "reason")
    date_hierarchy = "changed_at"
    list_per_page = 100

    @admin.display(description=_("library"), ordering="response__invitation__library__name")
    def library(self, change):
        return change.response.invitation.library

    @admin.display(description=_("round"))
    def round(self, change):
        return change.response.invitation.round

    @admin.display(description=_("question"), ordering="question__code")
    def question_code(self, change):
        return change.question.code if change.question else "–"
