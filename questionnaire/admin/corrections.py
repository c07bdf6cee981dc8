"""Each library's answers, by section, and what DB staff change in them: corrections, reopening,
submitting on a library's behalf. Every change is kept and shown under "Changes by staff"."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..conditions import visible_sections
from ..forms import SectionForm
from ..models import Response, ResponseChange, Round
from ..services.answers import response_answers
from ..services.corrections import response_reopen, response_submit_by_staff, staff_section_save
from ..services.questionnaire import questionnaire_sections
from ..services.responses import IncompleteResponse
from ..services.summary import answer_summary
from .base import ReadOnlyAdmin, RoundFilter, admin_path, page_context, require, short_time


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
    list_display = ("library", "municipality", "round", "status", "is_test", "started", "last_saved", "submitted")
    list_select_related = ("invitation__library__municipality", "invitation__round")
    list_filter = (
        ("invitation__round", RoundFilter),
        "status",
        "invitation__is_test",
        "invitation__library__municipality__region",
    )
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

    @admin.display(description=_("test"), boolean=True, ordering="invitation__is_test")
    def is_test(self, response):
        """Answers given through a staff member's test link: never counted."""
        return response.invitation.is_test

    # Short dates: the list has to fit 1280 px beside its filters.
    @admin.display(description=_("started"), ordering="started_at")
    def started(self, response):
        return short_time(response.started_at)

    @admin.display(description=_("last saved"), ordering="last_saved_at")
    def last_saved(self, response):
        return short_time(response.last_saved_at)

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, response):
        return short_time(response.submitted_at)

    def get_list_display(self, request):
        # The round column only takes room when the list is of more than one round.
        if "invitation__round__id__exact" in request.GET or Round.objects.count() < 2:
            return tuple(name for name in self.list_display if name != "round")
        return self.list_display

    # Answers change only through the views below, each of which keeps a history.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            admin_path(self, "<int:pk>/edit/<slug:section>/", self.edit_view, "edit"),
            admin_path(self, "<int:pk>/reopen/", self.reopen_view, "reopen"),
            admin_path(self, "<int:pk>/submit/", self.submit_view, "submit"),
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
        invitation = response.invitation
        return page_context(
            self, request, response, title, response=response, invitation=invitation, round=invitation.round, **extra
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Show the answers by section, with question and choice labels, and the history of staff changes."""
        # "²".isdigit() is true too: only ASCII digits make an id.
        if not (object_id.isascii() and object_id.isdigit()):
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
        require(request, "edit_answers")
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
        context = self._context(
            request,
            response,
            _("Change answers: %(section)s") % {"section": current.title},
            section=current,
            form=form,
            change_form=change_form,
            fields=[(form[name], form.condition_notes.get(name)) for name in form.fields],
        )
        return TemplateResponse(request, "admin/questionnaire/response/edit_section.html", context)

    def reopen_view(self, request, pk):
        require(request, "reopen_response")
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
        context = self._context(
            request, response, _("Reopen the response"), form=form, can_confirm=response.is_submitted
        )
        return TemplateResponse(request, "admin/questionnaire/response/reopen.html", context)

    def submit_view(self, request, pk):
        """Submit a draft on the library's behalf, once confirmed with a reason (as reopening is)."""
        require(request, "edit_answers")
        response = self._response(request, pk)
        form = StaffChangeForm(request.POST or None, reason_required=True)
        if request.method != "POST" or not form.is_valid():
            context = self._context(
                request, response, _("Submit on the library's behalf"), form=form, can_confirm=not response.is_submitted
            )
            return TemplateResponse(request, "admin/questionnaire/response/submit.html", context)
        try:
            response_submit_by_staff(response=response, user=request.user, reason=form.cleaned_data["reason"])
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


@admin.register(ResponseChange)
class ResponseChangeAdmin(ReadOnlyAdmin):
    """The history of staff changes is a record: it is only looked at."""

    list_display = ("changed", "library", "round", "kind", "question_label", "old", "new", "changed_by")
    # The question by its text: its code is for the data, not for people.
    fields = (
        "changed_at",
        "library",
        "round",
        "kind",
        "question_label",
        "old_value",
        "new_value",
        "reason",
        "changed_by",
    )
    readonly_fields = fields
    list_select_related = ("response__invitation__library", "response__invitation__round", "question", "changed_by")
    list_filter = (
        "kind",
        ("response__invitation__round", RoundFilter),
        ("changed_by", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("response__invitation__library__name", "question__label", "reason")
    date_hierarchy = "changed_at"
    list_per_page = 100

    @admin.display(description=_("library"), ordering="response__invitation__library__name")
    def library(self, change):
        return change.response.invitation.library

    @admin.display(description=_("round"))
    def round(self, change):
        return change.response.invitation.round

    @admin.display(description=_("question"), ordering="question__position")
    def question_label(self, change):
        return Truncator(change.question.label).chars(80) if change.question else "–"

    # In the list, short: the whole of a long answer is on the change's own page.
    @admin.display(description=_("changed"), ordering="changed_at")
    def changed(self, change):
        return short_time(change.changed_at)

    @admin.display(description=_("old value"))
    def old(self, change):
        return Truncator(change.old_value).chars(60)

    @admin.display(description=_("new value"))
    def new(self, change):
        return Truncator(change.new_value).chars(60)
