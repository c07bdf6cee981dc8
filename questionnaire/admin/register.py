"""The register: the 98 municipalities and their libraries, to and from Excel or CSV."""

import io

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jobs.models import Job, JobStatus

from ..downloads import xlsx_response
from ..jobs import REGISTER_IMPORT, register_import_queue
from ..models import Library, Municipality
from ..services.register import (
    ImportReport,
    RegisterImportError,
    RowProblem,
    register_import,
    register_write_csv,
    register_write_xlsx,
)
from .base import admin_path, page_context, require, yes_no_filter


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


# Seconds between two reloads of the page that follows a large file's import.
IMPORT_REFRESH_SECONDS = 2


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
        yes_no_filter(_("has e-mail"), "has_email", ~Q(email="")),
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
            admin_path(self, "import/<int:pk>/", self.import_job_view, "import_job"),
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
        require(request, "export_library")
        stamp = timezone.localdate().isoformat()
        if request.GET.get("format") == "csv":
            text = io.StringIO()
            register_write_csv(text)
            response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="biblioteker-{stamp}.csv"'
            return response
        return xlsx_response(register_write_xlsx, f"biblioteker-{stamp}.xlsx")

    def import_view(self, request):
        require(request, "add_library", "change_library")
        problems = []
        form = RegisterUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            # Never more than the limit into memory: register_import refuses a longer file by its length.
            data = upload.read(settings.REGISTER_MAX_UPLOAD_BYTES + 1)
            try:
                if len(data) > settings.REGISTER_SYNC_MAX_BYTES:
                    # A large file could outlast the request: a worker imports it, the next page follows.
                    job = register_import_queue(data=data, filename=upload.name, user=request.user)
                    return redirect("admin:questionnaire_library_import_job", job.pk)
                report = register_import(data=data, filename=upload.name)
            except RegisterImportError as error:
                problems = error.problems
            else:
                return self.imported(request, report)
        return self.import_page(request, form, problems)

    def import_job_view(self, request, pk):
        """Follow a large file's import; then say what it did, or list its problems, as for a small file."""
        require(request, "add_library", "change_library")
        job = get_object_or_404(Job, pk=pk, kind=REGISTER_IMPORT)
        if job.status == JobStatus.DONE and "problems" not in job.result:
            return self.imported(request, ImportReport(**job.result))
        if job.status == JobStatus.DONE:
            problems = [RowProblem(**problem) for problem in job.result["problems"]]
        else:
            problems = [RowProblem(0, "", "", job.error)] if job.status == JobStatus.FAILED else []
        return self.import_page(request, RegisterUploadForm(), problems, job=job)

    def imported(self, request, report: ImportReport):
        self.message_user(
            request,
            _("The register was imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
            messages.SUCCESS,
        )
        return redirect("admin:questionnaire_library_changelist")

    def import_page(self, request, form, problems, job=None):
        running = job is not None and not job.is_finished
        context = page_context(
            self,
            request,
            None,
            _("Import the register of libraries"),
            form=form,
            problems=problems,
            job=job if running else None,
            refresh_seconds=IMPORT_REFRESH_SECONDS if running else None,
        )
        return TemplateResponse(request, "admin/questionnaire/library/import.html", context)
