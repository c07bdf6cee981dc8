"""The questionnaire step: its versions, each as a workbook, an edited workbook uploaded, what changed, trying it.

A version is never edited here: staff download it as an Excel workbook (XLSForm),
edit it, upload it, read every problem or a preview with what changed, and install
it as a new version (``services.authoring``). Any version, and any round, can be
tried as a library would answer it (``services.trials``).
"""

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ..downloads import xlsx_response
from ..models import NUMBER_KINDS, Questionnaire, Round
from ..services.authoring import (
    bounds_text,
    condition_text,
    kind_label,
    upload_install,
    upload_read,
    version_filename,
    version_workbook_write,
    versions_diff,
)
from ..services.definition.xlsform_read import WorkbookProblems
from ..services.trials import trial_answers_remove, trial_invitation, trial_round
from .base import ReadOnlyAdmin, admin_path, page_context, require

# An uploaded definition waits for "install" in the page itself, signed: nothing is stored before.
UPLOAD_SALT = "questionnaire.upload"
UPLOAD_MAX_AGE = 24 * 3600


class QuestionnaireUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel workbook"),
        help_text=_("A workbook downloaded from a version here and edited (sheets survey, choices and settings)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def preview_sections(definition: dict) -> list[dict]:
    """Return the sections of *definition* as the preview shows them: texts, conditions and choices, no codes."""
    questions = {q["code"]: q for s in definition["sections"] for q in s["questions"]}
    return [
        {
            "title": section["title"],
            "intro": section["intro"],
            "condition": condition_text(section["show_if"], questions) if section["show_if"] else "",
            "questions": [
                {
                    "label": question["label"],
                    "help": question["help"],
                    "kind": kind_label(question["type"]),
                    "required": question["required"],
                    "condition": condition_text(question["show_if"], questions) if question["show_if"] else "",
                    "choices": [choice["label"] for choice in question["choices"]],
                    "bounds": _bounds(question),
                }
                for question in section["questions"]
            ],
        }
        for section in definition["sections"]
    ]


def _bounds(question) -> str:
    return bounds_text(question) if question["type"] in NUMBER_KINDS else ""


def try_redirect(request, round_: Round):
    """Send the staff member to their own test link to *round_*, as the library sees it."""
    try:
        invitation = trial_invitation(round=round_, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    return redirect(invitation.get_absolute_url())


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    """Versions are only looked at here; a new one comes from an uploaded workbook or the definition file."""

    list_display = ("title", "code", "version", "created_at", "round_count")
    fields = ("title", "code", "version", "intro", "purpose", "privacy", "created_at")
    readonly_fields = fields
    actions = ("remove_test_answers",)
    change_form_template = "admin/questionnaire/questionnaire/change_form.html"
    change_list_template = "admin/questionnaire/questionnaire/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rounds_using=Count("rounds", filter=Q(rounds__is_test=False)))

    @admin.display(description=_("rounds"), ordering="rounds_using")
    def round_count(self, questionnaire):
        return questionnaire.rounds_using

    def has_install_permission(self, request):
        return request.user.has_perm("questionnaire.add_questionnaire")

    def has_remove_tests_permission(self, request):
        return request.user.has_perm("questionnaire.delete_invitation")

    @admin.action(description=_("Remove the test answers of the selected versions"), permissions=["remove_tests"])
    def remove_test_answers(self, request, queryset):
        count = trial_answers_remove(rounds=Round.objects.filter(questionnaire__in=queryset))
        self.message_user(
            request, ngettext("%d test link removed.", "%d test links removed.", count) % count, messages.SUCCESS
        )

    def get_urls(self):
        return [
            admin_path(self, "upload/", self.upload_view, "upload"),
            admin_path(self, "upload/install/", require_POST(self.install_view), "install"),
            admin_path(self, "<int:pk>/workbook.xlsx", self.workbook_view, "workbook"),
            admin_path(self, "<int:pk>/changes/", self.changes_view, "changes"),
            admin_path(self, "<int:pk>/try/", require_POST(self.try_view), "try"),
            *super().get_urls(),
        ]

    def _version(self, request, pk) -> Questionnaire:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Questionnaire, pk=pk)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_install": self.has_install_permission(request)}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_open_round": request.user.has_perm("questionnaire.add_round"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def workbook_view(self, request, pk):
        questionnaire = self._version(request, pk)
        return xlsx_response(
            lambda handle: version_workbook_write(questionnaire=questionnaire, handle=handle),
            version_filename(questionnaire),
        )

    def try_view(self, request, pk):
        questionnaire = self._version(request, pk)
        return try_redirect(request, trial_round(questionnaire)) or redirect(
            "admin:questionnaire_questionnaire_change", questionnaire.pk
        )

    def changes_view(self, request, pk):
        """What changed from another version (``?with=PK``; by default the one before) to this one."""
        questionnaire = self._version(request, pk)
        others = Questionnaire.objects.filter(code=questionnaire.code).exclude(pk=questionnaire.pk)
        chosen = request.GET.get("with", "")
        other = None
        if chosen.isascii() and chosen.isdigit():
            other = others.filter(pk=int(chosen)).first()
        if other is None:
            other = others.filter(version__lt=questionnaire.version).order_by("-version").first() or others.first()
        old, new = (other, questionnaire) if other and other.version < questionnaire.version else (questionnaire, other)
        context = page_context(
            self,
            request,
            questionnaire,
            _("What changed"),
            questionnaire=questionnaire,
            other=other,
            others=others.order_by("-version"),
            old=old,
            new=new,
            changes=versions_diff(old, new) if other else [],
        )
        return TemplateResponse(request, "admin/questionnaire/questionnaire/changes.html", context)

    def upload_view(self, request):
        """Read an uploaded workbook: every problem with its place, or a preview and what changed."""
        require(request, "add_questionnaire")
        form = QuestionnaireUploadForm(request.POST or None, request.FILES or None)
        context = {"form": form, "problems": [], "upload": None}
        if request.method == "POST" and form.is_valid():
            try:
                upload = upload_read(form.cleaned_data["file"])
            except WorkbookProblems as error:
                context["problems"] = error.problems
            else:
                context.update(
                    upload=upload,
                    preview=preview_sections(upload.definition),
                    changes=upload.changes(),
                    signed=signing.dumps(upload.definition, salt=UPLOAD_SALT, compress=True),
                )
        return TemplateResponse(
            request,
            "admin/questionnaire/questionnaire/upload.html",
            page_context(self, request, None, _("Upload a questionnaire from Excel"), **context),
        )

    def install_view(self, request):
        require(request, "add_questionnaire")
        try:
            definition = signing.loads(request.POST.get("definition", ""), salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
        except signing.BadSignature:
            messages.error(request, _("The preview has expired; upload the workbook again."))
            return redirect("admin:questionnaire_questionnaire_upload")
        try:
            questionnaire, created = upload_install(definition=definition)
        except ValueError as error:
            for text in error.args[0]:
                messages.error(request, text)
            return redirect("admin:questionnaire_questionnaire_upload")
        if created:
            messages.success(request, _("Installed as version %(version)d.") % {"version": questionnaire.version})
        else:
            messages.info(
                request,
                _("Nothing new: version %(version)d has exactly this content.") % {"version": questionnaire.version},
            )
        return redirect("admin:questionnaire_questionnaire_change", questionnaire.pk)


def version_changes_before_round(questionnaire: Questionnaire | None):
    """Return (the latest round on another version, what changed from its version to *questionnaire*), or (None, [])."""
    if questionnaire is None:
        return None, []
    previous = Round.objects.real().select_related("questionnaire").order_by("-opens_at").first()
    if previous is None or previous.questionnaire.code != questionnaire.code:
        return previous, []
    return previous, versions_diff(previous.questionnaire, questionnaire)
