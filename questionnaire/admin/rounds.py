"""Survey rounds: opening one on a questionnaire version, trying it, inviting the libraries.

The questionnaire versions are the step before (``questionnaire``). The pages of the
later steps hang off a round and live in modules of their own: ``follow`` (the
overview), ``mail`` (sending), ``mail_texts`` (the round's own mail texts, previewed)
and ``personal_data`` (anonymising).
"""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import Questionnaire, ResponseStatus, Round
from ..services.personal_data import holds_personal_data
from ..services.rounds import invitations_create
from ..services.trials import trial_answers_remove
from .authoring import try_redirect, version_changes_before_round
from .base import admin_path, require, short_time, yes_no_filter
from .follow import FollowPages
from .mail import RoundMailPages
from .mail_texts import MailTextPages
from .personal_data import PersonalDataPages


def results_url(round_: Round) -> str:
    return reverse("results:round", args=[round_.slug])


@admin.register(Round)
class RoundAdmin(FollowPages, RoundMailPages, MailTextPages, PersonalDataPages, admin.ModelAdmin):
    list_display = (
        "title",
        "slug",
        "opens",
        "closes",
        "invited_count",
        "submitted_count",
        "personal_data",
        "links",
    )
    list_filter = (yes_no_filter(_("holds personal data"), "personal_data", Q(personal_data_held=True)),)
    search_fields = ("title", "slug")
    date_hierarchy = "opens_at"
    actions = ("send_invitations", "send_reminders", "anonymise", "remove_test_answers")
    change_form_template = "admin/questionnaire/round/change_form.html"

    def get_queryset(self, request):
        # Staff's test links are not invitations of libraries; the hidden rounds of versions are no rounds.
        real = Q(invitations__is_test=False)
        submitted = real & Q(invitations__response__status=ResponseStatus.SUBMITTED)
        return (
            super()
            .get_queryset(request)
            .real()
            .select_related("questionnaire")
            .annotate(
                invited=Count("invitations", filter=real, distinct=True),
                submitted=Count("invitations", filter=submitted, distinct=True),
                personal_data_held=holds_personal_data(),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        fields = ["created_at", "personal_data_removed_at", "results_mail_queued_at"]
        if obj is not None:
            # Links, commands and the results page name the round by its slug; its
            # answers only mean something with the questionnaire they were given to.
            fields += ["slug", "mail_preview"]
            if obj.invitations.real().exists():
                fields += ["questionnaire"]
        return fields

    def get_fieldsets(self, request, obj=None):
        mail = ["invitation_subject", "invitation_text", "reminder_subject", "reminder_text"]
        if obj is not None:
            mail.append("mail_preview")
        return (
            (
                None,
                {
                    "fields": (
                        "title",
                        "slug",
                        "questionnaire",
                        "opens_at",
                        "closes_at",
                        "reminder_days",
                        "created_at",
                        "personal_data_removed_at",
                    )
                },
            ),
            (_("Mail texts"), {"fields": mail}),
            (_("Publishing the results"), {"fields": ("results_published_on", "results_mail_queued_at")}),
        )

    @admin.display(description=_("opens"), ordering="opens_at")
    def opens(self, round_):
        return short_time(round_.opens_at)

    @admin.display(description=_("closes"), ordering="closes_at")
    def closes(self, round_):
        return short_time(round_.closes_at)

    @admin.display(description=_("invited"), ordering="invited")
    def invited_count(self, round_):
        return round_.invited

    @admin.display(description=_("submitted"), ordering="submitted")
    def submitted_count(self, round_):
        return round_.submitted

    @admin.display(description=_("Personal data"), boolean=True, ordering="personal_data_held")
    def personal_data(self, round_):
        return round_.personal_data_held

    @admin.display(description=_("follow"))
    def links(self, round_):
        overview = format_html(
            '<a href="{}">{}</a>', reverse("admin:questionnaire_round_overview", args=[round_.pk]), _("Overview")
        )
        return format_html('{} · <a href="{}">{}</a>', overview, results_url(round_), _("Results"))

    def has_invite_permission(self, request):
        return request.user.has_perm("questionnaire.add_invitation")

    def has_remove_tests_permission(self, request):
        return request.user.has_perm("questionnaire.delete_invitation")

    @admin.action(description=_("Remove the test answers of the selected rounds"), permissions=["remove_tests"])
    def remove_test_answers(self, request, queryset):
        count = trial_answers_remove(rounds=queryset)
        self.message_user(
            request, ngettext("%d test link removed.", "%d test links removed.", count) % count, messages.SUCCESS
        )

    def get_urls(self):
        return [
            admin_path(self, "<int:pk>/invite/", self.invite_view, "invite"),
            admin_path(self, "<int:pk>/try/", self.try_view, "try"),
            *super().get_urls(),
        ]

    def try_view(self, request, pk):
        """Open the staff member's own test link to the round: the library's pages, answers never counted."""
        round_ = self.round_or_404(request, pk)
        if request.method != "POST":
            return redirect("admin:questionnaire_round_change", round_.pk)
        return try_redirect(request, round_) or redirect("admin:questionnaire_round_change", round_.pk)

    def add_view(self, request, form_url="", extra_context=None):
        """Before a round is opened on a version: what changed since the version of the latest round."""
        chosen = request.GET.get("questionnaire", "")
        questionnaire = None
        if chosen.isascii() and chosen.isdigit():
            questionnaire = Questionnaire.objects.filter(pk=int(chosen)).first()
        questionnaire = questionnaire or Questionnaire.objects.order_by("-created_at", "-version").first()
        previous, changes = version_changes_before_round(questionnaire)
        extra_context = {
            **(extra_context or {}),
            "chosen_version": questionnaire,
            "previous_round": previous,
            "version_changes": changes,
        }
        return super().add_view(request, form_url, extra_context)

    def invite_view(self, request, pk):
        round_ = self.round_or_404(request, pk)
        if request.method != "POST":
            return redirect("admin:questionnaire_round_overview", round_.pk)
        require(request, "add_invitation")
        created = invitations_create(round=round_)
        self.message_user(
            request,
            ngettext("%d library invited.", "%d libraries invited.", len(created)) % len(created),
            messages.SUCCESS,
        )
        return redirect("admin:questionnaire_round_overview", round_.pk)
