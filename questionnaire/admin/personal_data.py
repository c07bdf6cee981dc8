"""Removing the contact persons' details from a closed round, asked for first, done by a worker.

The round overview shows the work while it runs and what it removed (questionnaire.jobs).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ..jobs import round_anonymise_queue
from .base import RoundPages, admin_path, require


class PersonalDataPages(RoundPages):
    """RoundAdmin's page and action that anonymise a round."""

    def has_anonymise_permission(self, request):
        return request.user.has_perm("questionnaire.anonymise_round")

    @admin.action(description=_("Remove personal data (asks first)"), permissions=["anonymise"])
    def anonymise(self, request, queryset):
        return self.one_round(request, queryset, "questionnaire_round_anonymise")

    def get_urls(self):
        return [admin_path(self, "<int:pk>/anonymise/", self.anonymise_view, "anonymise"), *super().get_urls()]

    def anonymise_view(self, request, pk):
        round_ = self.round_or_404(request, pk)
        require(request, "anonymise_round")
        if request.method == "POST":
            try:
                round_anonymise_queue(round=round_, user=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("A worker is removing the personal data; the overview shows when it is done."),
                    messages.SUCCESS,
                )
            return redirect("admin:questionnaire_round_overview", round_.pk)
        context = self.round_context(request, round_, _("Remove personal data"), has_closed=round_.has_closed())
        return TemplateResponse(request, "admin/questionnaire/round/confirm_anonymise.html", context)
