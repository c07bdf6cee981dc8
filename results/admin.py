"""The report's words in the admin: a round's findings and author line, and where its quotes stand.

Staff write a finding (a heading and a few sentences) for each section of the report; its
placeholders (``{andel_aktive}``) are checked as the mail texts' are and filled in from the
round's figures (results.report.texts). The filing page lists the round's publishable quotes,
advice and plan comments with a theme each (results.report.filing). The preview shows the
report's HTML as the PDF is made from it (results.views.report_preview).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from questionnaire.admin.base import RoundChoices, RoundFilter, admin_path, page_context

from .models import ReportFinding, ReportSection, ReportText
from .report.filing import SUGGESTED, candidates, filed, filing_save, theme_choices
from .report.texts import PLACEHOLDERS, validate_report_text


class ReportFindingForm(forms.ModelForm):
    class Meta:
        model = ReportFinding
        fields = ("section", "heading", "text")
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = _("Placeholders for the round's figures: %(known)s.") % {
            "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        }

    def clean_heading(self):
        heading = self.cleaned_data["heading"]
        validate_report_text(heading)
        return heading

    def clean_text(self):
        text = self.cleaned_data["text"]
        validate_report_text(text)
        return text


def missing_sections(text: ReportText | None) -> list[str]:
    """Return the sections of the report *text* has no finding for yet, in the report's order."""
    written = set(text.findings.values_list("section", flat=True)) if text and text.pk else set()
    return [section for section in ReportSection.values if section not in written]


class ReportFindingInline(admin.StackedInline):
    """A finding per section: the sections not written yet are offered, each once (an empty one is left out)."""

    model = ReportFinding
    form = ReportFindingForm

    def get_extra(self, request, obj=None, **kwargs):
        return len(missing_sections(obj))


@admin.register(ReportText)
class ReportTextAdmin(RoundChoices, admin.ModelAdmin):
    list_display = ("round", "author", "links")
    list_filter = (("round", RoundFilter),)
    list_select_related = ("round",)
    fields = ("round", "author", "links")
    readonly_fields = ("links",)
    inlines = (ReportFindingInline,)

    @admin.display(description=gettext_lazy("the report"))
    def links(self, text):
        if not text or not text.pk:
            return "–"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("results:report-preview", args=[text.round.slug]),
            _("See the report"),
            reverse("admin:results_reporttext_quotes", args=[text.pk]),
            _("Place the quotes"),
        )

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # On a POST too: a form left as offered (its section, nothing written) is then unchanged and not saved.
        if isinstance(inline, ReportFindingInline):
            kwargs["initial"] = [{"section": section} for section in missing_sections(obj)]
        return kwargs

    def get_urls(self):
        return [admin_path(self, "<int:pk>/quotes/", self.quotes_view, "quotes"), *super().get_urls()]

    def quotes_view(self, request, pk):
        """The round's publishable quotes, advice and plan comments, each with the theme it stands under."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        text = get_object_or_404(ReportText.objects.select_related("round"), pk=pk)
        round_ = text.round
        found = candidates(round_)
        choices = theme_choices(round_, found)
        current = filed(round_)
        rows = []
        for candidate in found:
            theme, position = current.get(candidate.key, (None, 0))
            options = list(choices)
            if candidate.suggestion or candidate.suggestion_label:
                suggested = _("As suggested: %(theme)s") % {"theme": candidate.suggestion_label}
                options = [(SUGGESTED, suggested), *options]
            chosen = theme if theme is not None else (SUGGESTED if candidate.suggestion_label else "")
            rows.append({"candidate": candidate, "options": options, "chosen": chosen, "position": position})
        if request.method == "POST":
            if not request.user.has_perm("results.change_reportquote") or not request.user.has_perm(
                "results.add_reportquote"
            ):
                raise PermissionDenied
            values = {}
            for row in rows:
                candidate = row["candidate"]
                theme = request.POST.get(f"theme_{candidate.field}")
                if theme is None or theme not in {value for value, _label in row["options"]}:
                    continue
                try:
                    position = max(int(request.POST.get(f"position_{candidate.field}", "0") or 0), 0)
                except ValueError:
                    position = 0
                values[candidate.key] = (theme, min(position, 10_000))
            filing_save(round_, found, values)
            self.message_user(request, _("The quotes' places in the report are saved."), messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        context = page_context(
            self,
            request,
            text,
            _("Quotes in the report: %(round)s") % {"round": round_},
            rows=rows,
            preview=reverse("results:report-preview", args=[round_.slug]),
            may_change=request.user.has_perm("results.change_reportquote"),
        )
        return TemplateResponse(request, "admin/results/reporttext/quotes.html", context)
