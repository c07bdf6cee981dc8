"""Following a round: its overview (progress overall and per region) and who has not answered."""

from django.conf import settings
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..downloads import xlsx_response
from ..jobs import round_anonymise_job
from ..mail.progress import round_batches, round_mail_problems
from ..mail.recipients import invitations_to_send, invitations_without_email, reminders_to_send
from ..models import Library
from ..services.follow import non_respondents_write_xlsx, round_non_respondents, round_overview
from .base import RoundPages, admin_path, require


class FollowPages(RoundPages):
    """RoundAdmin's overview page, the hub of a round, and its list of non-respondents as Excel."""

    def has_export_permission(self, request):
        return request.user.has_perm("questionnaire.export_round")

    def get_urls(self):
        return [
            admin_path(self, "<int:pk>/overview/", self.overview_view, "overview"),
            admin_path(self, "<int:pk>/overview/not-answered.xlsx", self.non_respondents_view, "non_respondents"),
            *super().get_urls(),
        ]

    def overview_view(self, request, pk):
        round_ = self.round_or_404(request, pk)
        overview = round_overview(round_)
        anonymise_job = round_anonymise_job(round_)
        anonymising = anonymise_job is not None and not anonymise_job.is_finished
        context = self.round_context(
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
            batches=round_batches(round_),
            problems=round_mail_problems(round_),
            is_open=round_.is_open(),
            not_invited=Library.objects.active().exclude(invitations__round=round_).count(),
            results_url=reverse("results:round", args=[round_.slug]),
            can_send=self.has_send_mail_permission(request),
            can_invite=self.has_invite_permission(request),
            can_export=self.has_export_permission(request),
            can_anonymise=self.has_anonymise_permission(request),
            anonymise_job=anonymise_job,
            anonymise_running=anonymising,
            # While a worker removes the personal data, the page reloads itself to show when it is done.
            refresh_seconds=5 if anonymising else None,
            reminder_interval=settings.REMINDER_INTERVAL_DAYS,
        )
        return TemplateResponse(request, "admin/questionnaire/round/overview.html", context)

    def non_respondents_view(self, request, pk):
        round_ = self.round_or_404(request, pk)
        require(request, "export_round")
        return xlsx_response(
            lambda handle: non_respondents_write_xlsx(round=round_, handle=handle),
            f"ikke-svaret-{round_.slug}-{timezone.localdate().isoformat()}.xlsx",
        )
