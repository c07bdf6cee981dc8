"""The staff start page's own context (the admin's index, surveyproject/admin_site.py).

A user who may see the rounds sees those in progress with their next step; one who may
also see the invitations sees what needs attention, each with the list that shows it.
"""

from django.utils import timezone

from ..services.start import start_rounds, state_label


def start_context(request) -> dict:
    if not request.user.has_perm("questionnaire.view_round"):
        return {}
    now = timezone.now()
    rows = start_rounds(now)
    user = request.user
    for row in rows:
        row.state_label = state_label(row.state)
        # A step whose page the user may not open is named, not linked.
        row.step_url = row.step.url if not row.step.permission or user.has_perm(row.step.permission) else ""
    show_attention = request.user.has_perm("questionnaire.view_invitation")
    return {
        "start_rounds": rows,
        "start_shown": True,
        "attention": [(row.round, item) for row in rows for item in row.attention] if show_attention else [],
        "show_attention": show_attention,
    }
