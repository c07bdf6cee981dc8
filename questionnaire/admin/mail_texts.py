"""A round's own mail texts on its form: the mails as a library gets them, live while staff type, and warnings.

The preview is made by the function the real mail uses (``mail_message``), for the round's
first invited library (or any active one). The form's preview asks ``mail_preview_view`` for a
new one as staff type (static/questionnaire/admin_mail_texts.js), with the draft texts, before
anything is saved: placeholders the mail cannot fill in are reported as on save, and a text that
greets or gives the link once more than the mail does (``doubled_parts``) is pointed out, on save
too. A mail that cannot be made shows why instead of breaking the page.
"""

import copy
import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..mail.messages import INVITATION, REMINDER, mail_message
from ..mail.texts import doubled_parts, validate_placeholders
from ..models import Invitation, Library, Round
from .base import admin_path

logger = logging.getLogger(__name__)

# The round's own texts, as the form names them; the bodies are the ones the mail greets above and links below.
MAIL_TEXT_FIELDS = ("invitation_subject", "invitation_text", "reminder_subject", "reminder_text")
BODY_FIELDS = ("invitation_text", "reminder_text")


def _label(name: str) -> str:
    return capfirst(Round._meta.get_field(name).verbose_name)


def mail_text_problems(texts: dict) -> tuple[list[str], list[str]]:
    """Return the errors (placeholders a mail cannot fill in) and warnings (greeting or link twice) of *texts*."""
    errors, warnings = [], []
    for name in MAIL_TEXT_FIELDS:
        try:
            validate_placeholders(texts.get(name, ""))
        except ValidationError as error:
            errors += [f"{_label(name)}: {message}" for message in error.messages]
    for name in BODY_FIELDS:
        warnings += [f"{_label(name)}: {warning}" for warning in doubled_parts(texts.get(name, ""))]
    return errors, warnings


def _example_invitation(round_: Round) -> Invitation | None:
    """The invitation the preview shows the mails of: the first invited library's, or any active library's."""
    invitation = round_.invitations.real().select_related("library").first()
    if invitation is None:
        library = Library.objects.active().first()
        if library is None:
            return None
        invitation = Invitation(library=library)
    invitation.round = round_  # the round as drafted, when it is a draft
    return invitation


def mail_preview_html(round_: Round) -> str:
    """Return the invitation and the reminder as the example library would get them, with any problems, as HTML."""
    errors, warnings = mail_text_problems({name: getattr(round_, name) for name in MAIL_TEXT_FIELDS})
    notes = format_html_join("", '<p class="errornote">{}</p>', ((error,) for error in errors))
    notes += format_html_join("", '<p class="survey-warning mail-text-warning">{}</p>', ((w,) for w in warnings))
    invitation = _example_invitation(round_)
    if invitation is None:
        return format_html("{}{}", notes, _("No library in the register to show them with."))
    parts = []
    for kind in (INVITATION, REMINDER):
        try:
            message = mail_message(invitation, kind)
        except Exception as error:  # the page shows why, rather than breaking
            logger.warning("The %s mail of round %s cannot be made", kind, round_.pk, exc_info=True)
            reason = _("The mail could not be made: %(error)s") % {"error": str(error) or type(error).__name__}
            parts.append(format_html('<p class="errornote mail-preview-failed">{}</p>', reason))
            continue
        # The rendered text is marked safe (a template made it), but it is plain text holding what
        # staff typed: escape() escapes it all the same, so the preview shows markup as text.
        subject, body = escape(message.subject), escape(message.body)
        parts.append(format_html('<strong>{}</strong><pre class="mail-preview">{}</pre>', subject, body))
    return format_html("{}{}", notes, format_html_join("", "{}", ((part,) for part in parts)))


class MailTextPages:
    """RoundAdmin's mail texts: the preview on the form, its live update while staff type, warnings on save."""

    @admin.display(description=gettext_lazy("the mails as a library gets them"))
    def mail_preview(self, round_):
        url = reverse("admin:questionnaire_round_mail_texts_preview", args=[round_.pk])
        return format_html(
            '<div id="mail-preview" data-url="{}" aria-live="polite">{}</div>', url, mail_preview_html(round_)
        )

    def get_urls(self):
        return [
            admin_path(self, "<int:pk>/mail-texts/preview/", self.mail_preview_view, "mail_texts_preview"),
            *super().get_urls(),
        ]

    @staticmethod
    def _draft(round_: Round, data) -> Round:
        """Return *round_* with the mail texts of *data* (unsaved: a copy only the preview sees)."""
        draft = copy.copy(round_)
        for name in MAIL_TEXT_FIELDS:
            if name in data:
                setattr(draft, name, data[name])
        return draft

    def mail_preview_view(self, request, pk):
        """The preview of the mail texts staff are typing: POST the drafts, get the preview back as HTML in JSON."""
        return require_POST(self._mail_preview)(request, pk)

    def _mail_preview(self, request, pk):
        round_ = Round.objects.filter(pk=pk).first()
        if round_ is None or not self.has_change_permission(request, round_):
            raise PermissionDenied
        return JsonResponse({"html": mail_preview_html(self._draft(round_, request.POST))})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _errors, warnings = mail_text_problems({name: getattr(obj, name) for name in MAIL_TEXT_FIELDS})
        for warning in warnings:
            self.message_user(request, warning, messages.WARNING)
