"""What a mail says: the shipped templates, in Danish, with the round's own texts where staff wrote them.

A mail is plain text with an HTML alternative. Invitations and reminders are rendered once per
round and filled in per library (``RoundMails``); receipts and reopening mails are built when
they go, from the answers as they are then, to whoever answered and to the library.
"""

import logging
import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

from ..codes import RESPONDENT_EMAIL
from ..models import Invitation, Mail, MailKind
from ..services.answers import response_answers
from ..services.history import response_reopening
from ..services.questionnaire import questionnaire_sections, questionnaire_version
from ..services.rounds import invitation_url
from ..services.summary import answer_summary
from .texts import fill_in

logger = logging.getLogger(__name__)

INVITATION = MailKind.INVITATION
REMINDER = MailKind.REMINDER
RECEIPT = MailKind.RECEIPT
REOPENED = MailKind.REOPENED
RESULTS = MailKind.RESULTS


def _context(invitation: Invitation, extra_context: dict) -> dict:
    return {
        **extra_context,
        "invitation": invitation,
        "library": invitation.library,
        "round": invitation.round,
        "url": invitation_url(invitation),
        # The results mail's links: the library's own results (results/own.py) and everyone's (results/public.py).
        "own_results_url": settings.SITE_URL + reverse("own-results", args=[invitation.token]),
        "results_url": settings.SITE_URL + reverse("public:results", args=[invitation.round.slug]),
        "deadline": invitation.round.closes_at,
        "contact_email": settings.SURVEY_CONTACT_EMAIL,
        "started": hasattr(invitation, "response"),
    }


# The round's own texts (subject, body) for a kind of mail, where staff wrote them.
OWN_TEXTS = {INVITATION: ("invitation_subject", "invitation_text"), REMINDER: ("reminder_subject", "reminder_text")}


def _own_texts(kind: str, context: dict) -> tuple[str, str]:
    """Return the round's own subject and body for *kind*, filled in ("" where it has none)."""
    if kind not in OWN_TEXTS:
        return "", ""
    round_ = context["round"]
    values = {"library": context["library"], "url": context["url"], "round": round_}
    return tuple(fill_in(text, **values) if (text := getattr(round_, field)) else "" for field in OWN_TEXTS[kind])


def _render(kind: str, context: dict) -> tuple[str, str, str]:
    """Return the subject, text and HTML of the mail of *kind* rendered with *context*."""
    # Libraries read Danish, whatever language the staff member's browser asks for.
    with translation.override(settings.LANGUAGE_CODE):
        own_subject, own_body = _own_texts(kind, context)
        context = {**context, "own_body": own_body}
        subject = own_subject or render_to_string(f"questionnaire/mail/{kind}_subject.txt", context)
        text = render_to_string(f"questionnaire/mail/{kind}.txt", context)
        html = render_to_string(f"questionnaire/mail/{kind}.html", context)
        subject = " ".join(subject.split())
        if context.get("test"):
            subject = _("[Test] %(subject)s") % {"subject": subject}
    return subject, text, html


def _message_of(parts: tuple[str, str, str], invitation: Invitation, connection, to) -> EmailMultiAlternatives:
    subject, text, html = parts
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to or [invitation.library.email],
        reply_to=[settings.SURVEY_CONTACT_EMAIL],
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def mail_message(
    invitation: Invitation, kind: str, connection=None, *, to=None, **extra_context
) -> EmailMultiAlternatives:
    """Return the mail of *kind* to *invitation*'s library (or *to*): plain text with an HTML alternative."""
    return _message_of(_render(kind, _context(invitation, extra_context)), invitation, connection, to)


class _StandIn:
    """The library or the invitation while a mail is rendered once for a whole round: it notes any look at it.

    Only the library's name is there (as a marker); a template that reads anything else of
    either is not rendered once for many, as its text may differ from library to library.
    """

    def __init__(self, **attributes):
        self.__dict__.update(attributes)
        self.looked_at = set()

    def __getattr__(self, name):
        self.looked_at.add(name)
        raise AttributeError(name)

    def __str__(self):
        self.looked_at.add("__str__")
        return ""


# A per-library value, left in a mail rendered once per round and filled in per library. The "&"
# shows where the template escaped it (HTML: "&amp;"), so that the value is escaped exactly there.
_MARKS = {"library": "\x00library&\x00", "url": "\x00url&\x00"}
_MARKED = re.compile("\x00(library|url)(&|&amp;)\x00")


class RoundMails:
    """Invitations and reminders as one run sends them: rendered once per round, filled in per library.

    The three templates cost about a millisecond a mail; what differs between the libraries of a
    round is only the library's name and its link. So each (kind, round as it is now, started or
    not) is rendered once with markers in their place, and every mail of it is that text with the
    markers replaced: raw in the text parts, escaped (``conditional_escape``, as the template
    would) where the template escaped the marker. A rendering is used only if the templates read
    nothing else of the library or invitation, and if it gives, for the first library, exactly
    what rendering the templates for that library gives; else every mail of it is rendered whole.
    Kept for one run (a slice of a batch): a round changed meanwhile is a new key.
    """

    KINDS = (INVITATION, REMINDER)

    def __init__(self):
        self._parts = {}  # key -> (subject, text, html) with markers; None: render each mail whole

    @staticmethod
    def _key(kind: str, invitation: Invitation, context: dict) -> tuple:
        round_ = invitation.round
        fields = tuple(getattr(round_, f.attname) for f in round_._meta.concrete_fields)
        return (kind, context["started"], settings.LANGUAGE_CODE, settings.SURVEY_CONTACT_EMAIL, fields)

    @staticmethod
    def _fill(parts: tuple[str, str, str], values: dict) -> tuple[str, str, str]:
        def value(match):
            raw = values[match.group(1)]
            return raw if match.group(2) == "&" else conditional_escape(raw)

        return tuple(_MARKED.sub(value, part) for part in parts)

    def message(self, invitation: Invitation, kind: str, connection, *, to=None) -> EmailMultiAlternatives:
        context = _context(invitation, {})
        if kind not in self.KINDS:
            return _message_of(_render(kind, context), invitation, connection, to)
        key = self._key(kind, invitation, context)
        values = {"library": invitation.library.name, "url": context["url"]}
        if key not in self._parts:
            library, stand_in = _StandIn(name=_MARKS["library"]), _StandIn()
            marked = _render(kind, {**context, "library": library, "invitation": stand_in, "url": _MARKS["url"]})
            whole = _render(kind, context)
            usable = (
                not library.looked_at
                and not stand_in.looked_at
                and not _MARKED.search(marked[0])  # a subject's spaces are folded: per round only
                and self._fill(marked, values) == whole
            )
            if not usable:
                logger.warning("The %s mail cannot be rendered once per round; rendering each mail whole", kind)
            self._parts[key] = marked if usable else None
            return _message_of(whole, invitation, connection, to)
        marked = self._parts[key]
        parts = self._fill(marked, values) if marked else _render(kind, context)
        return _message_of(parts, invitation, connection, to)


def receipt_recipients(invitation: Invitation, answers: dict) -> list[str]:
    """Return the person who answered (the draft's contact e-mail) and the library's address, each once."""
    return list(dict.fromkeys(a for a in (answers.get(RESPONDENT_EMAIL), invitation.library.email) if a))


def _receipt_message(invitation: Invitation, connection) -> EmailMultiAlternatives | None:
    # Built when it goes: the answers as submitted, to whoever answered and to the library.
    response = invitation.response
    answers = response_answers(response)
    to = receipt_recipients(invitation, answers)
    if not to:
        return None
    sections = questionnaire_sections(questionnaire_version(invitation.round.questionnaire_id))
    summary = answer_summary(sections, answers)
    return mail_message(invitation, RECEIPT, connection, to=to, response=response, summary=summary)


def _reminder_message(invitation: Invitation, connection, rendered: RoundMails) -> EmailMultiAlternatives:
    # A library that has started: the person who started hears too, not only the library's address.
    response = getattr(invitation, "response", None)
    to = receipt_recipients(invitation, response_answers(response) if response else {})
    return rendered.message(invitation, REMINDER, connection, to=to)


def _reopened_message(invitation: Invitation, connection) -> EmailMultiAlternatives | None:
    # Built when it goes, like the receipt: to whoever answered and to the library, with the staff's reason.
    response = invitation.response
    to = receipt_recipients(invitation, response_answers(response))
    if not to:
        return None
    return mail_message(invitation, REOPENED, connection, to=to, reopening=response_reopening(response))


def queued_message(mail: Mail, connection, rendered: RoundMails) -> EmailMultiAlternatives | None:
    """Return the message that the queued *mail* stands for, as it goes now; None if it has nobody to go to."""
    if mail.kind == RECEIPT:
        return _receipt_message(mail.invitation, connection)
    if mail.kind == REOPENED:
        return _reopened_message(mail.invitation, connection)
    if mail.kind == REMINDER:
        return _reminder_message(mail.invitation, connection, rendered)
    if mail.kind == RESULTS:
        # To the library, and to whoever answered for it (their address as the response holds it).
        response = getattr(mail.invitation, "response", None)
        to = receipt_recipients(mail.invitation, response_answers(response) if response else {})
        return rendered.message(mail.invitation, RESULTS, connection, to=to) if to else None
    if mail.kind == MailKind.TEST:
        return mail_message(mail.invitation, INVITATION, connection, to=[mail.to], test=True)
    return rendered.message(mail.invitation, mail.kind, connection)
