"""The respondent's way through the questionnaire: landing, sections, review, submit, receipt.

The personal link (token) is the only credential. Every page loads the invitation
with its round, library and response in one query and the answers in one, whatever
the number of questions or answers; the questionnaire comes from the process's cache.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .conditions import neighbour_section, visible_sections
from .forms import SectionForm
from .mail.messages import receipt_recipients
from .models import Invitation, MailKind
from .progress import page_counter
from .services.answers import response_answers
from .services.history import response_reopening
from .services.questionnaire import questionnaire_sections, questionnaire_version
from .services.responses import (
    IncompleteResponse,
    ResponseAlreadySubmitted,
    missing_answers,
    response_submit,
    section_save,
)
from .services.rounds import invitation_mark_opened
from .services.summary import answer_summary


@dataclass
class Visit:
    """What every respondent page needs: the invitation, the questionnaire and the answers."""

    invitation: Invitation
    sections: list
    answers: dict
    # A signed-in staff member looking at the link (the admin's "view on site", a link passed on).
    by_staff: bool = False

    @property
    def round(self):
        return self.invitation.round

    @property
    def response(self):
        return getattr(self.invitation, "response", None)

    @property
    def is_submitted(self):
        return self.response is not None and self.response.is_submitted

    def shown_sections(self):
        return visible_sections(self.sections, self.answers)

    def resume_url(self):
        """Return where a returning library goes on: where it left off, or the first gap."""
        shown = self.shown_sections()
        resume = self.response.resume_section if self.response else ""
        if any(section.code == resume for section in shown):
            return section_url(self.invitation, resume)
        missing = missing_answers(self.sections, self.answers)
        if missing:
            return section_url(self.invitation, missing[0].section.code)
        if self.response is None:
            return section_url(self.invitation, shown[0].code)
        return review_url(self.invitation)


# How each button moves through the sections shown: back one, stay, on one.
MOVES = {"back": -1, "save": 0, "next": 1}


def section_url(invitation, code):
    return reverse("questionnaire:section", args=[invitation.token, code])


def review_url(invitation):
    return reverse("questionnaire:review", args=[invitation.token])


def unknown_link(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """The page for a link that leads nowhere (mistyped, cut short): the product's own, in debug as in production."""
    return render(request, "404.html", status=404)


def is_staff_visit(request: HttpRequest) -> bool:
    """Whether a signed-in staff member is looking: staff look at a library's pages, they never visit as it."""
    return request.user.is_authenticated and request.user.is_staff


def _visit(request: HttpRequest, token: str, *, after_closing: bool = False) -> Visit | HttpResponse:
    """Return the visit for *token*, or the page that says why the round cannot be answered.

    With *after_closing*, a library that submitted keeps its visit once the round has
    closed: its answers stay visible through the link, as the receipt mail promises.
    """
    invitation = (
        Invitation.objects.select_related("round", "library__municipality", "response").filter(token=token).first()
    )
    if invitation is None:
        return unknown_link(request)
    round_ = invitation.round
    response = getattr(invitation, "response", None)
    submitted = response is not None and response.is_submitted
    # A test link works before the round opens and after it closes: staff try it before the libraries do.
    if not round_.is_open() and not invitation.is_test and not (after_closing and submitted and round_.has_closed()):
        template = "questionnaire/closed.html" if round_.has_closed() else "questionnaire/not_open.html"
        return render(request, template, {"invitation": invitation, "round": round_}, status=403)
    round_.questionnaire = questionnaire_version(round_.questionnaire_id)
    sections = questionnaire_sections(round_.questionnaire)
    return Visit(invitation, sections, response_answers(response), by_staff=is_staff_visit(request))


# Every respondent page may show the library's answers and contact details: never cached,
# not by the browser (a shared library computer) nor by a proxy ("no-store, private").


@never_cache
def landing(request: HttpRequest, token: str) -> HttpResponse:
    visit = _visit(request, token, after_closing=True)
    if isinstance(visit, HttpResponse):
        return visit
    # Only the library's own visit opens its link: a staff member looking (the admin's "view
    # on site" is a staff member's browser, signed in) leaves first-opened and the status as they are.
    if not visit.by_staff:
        invitation_mark_opened(visit.invitation)
    if visit.is_submitted:
        return receipt(request, token, visit=visit)
    return render(
        request,
        "questionnaire/landing.html",
        {
            "visit": visit,
            "invitation": visit.invitation,
            "round": visit.round,
            "start_url": visit.resume_url(),
            # Staff set a submitted response back to draft: the library is told when and why.
            "reopening": response_reopening(visit.response) if visit.response else None,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, token: str, code: str) -> HttpResponse:
    visit = _visit(request, token)
    if isinstance(visit, HttpResponse):
        return visit
    if visit.is_submitted:
        messages.info(request, _("Your answers have already been submitted and can no longer be changed."))
        return redirect("questionnaire:landing", token)
    shown = visit.shown_sections()
    current = next((s for s in shown if s.code == code), None)
    if current is None:
        if any(s.code == code for s in visit.sections):
            # A section hidden by an earlier answer: go on where the questionnaire continues.
            return redirect(visit.resume_url())
        return unknown_link(request)
    # Next judges the page in full; Back and "save for later" keep what is there, gaps and all.
    action = request.POST.get("action")
    action = action if action in MOVES else "next"
    form = SectionForm(
        request.POST or None,
        sections=visit.sections,
        section=current,
        answers=visit.answers,
        require_answers=(action == "next"),
    )
    if request.method == "POST" and form.is_valid():
        values = form.answer_values()
        target = neighbour_section(visit.sections, {**visit.answers, **values}, current.code, MOVES[action])
        try:
            section_save(
                invitation=visit.invitation,
                section=current,
                values=values,
                resume_section=target.code if target else "",
            )
        except ResponseAlreadySubmitted:
            messages.info(request, _("Your answers have already been submitted and can no longer be changed."))
            return redirect("questionnaire:landing", token)
        if action == "save":
            messages.success(
                request,
                _("Your answers have been saved. Use the same link to continue whenever you like."),
            )
            return redirect("questionnaire:landing", token)
        if target:
            return redirect(section_url(visit.invitation, target.code))
        # Back from the first page leads to the landing page; next from the last, to the review.
        return redirect(visit.invitation.get_absolute_url() if action == "back" else review_url(visit.invitation))

    index = shown.index(current)
    return render(
        request,
        "questionnaire/section.html",
        {
            "visit": visit,
            "invitation": visit.invitation,
            "round": visit.round,
            "section": current,
            "form": form,
            "counter": page_counter(visit.sections, visit.answers, current.code),
            "is_first": index == 0,
        },
    )


@never_cache
def review(request: HttpRequest, token: str) -> HttpResponse:
    visit = _visit(request, token)
    if isinstance(visit, HttpResponse):
        return visit
    if visit.is_submitted:
        return redirect("questionnaire:landing", token)
    missing = missing_answers(visit.sections, visit.answers)
    return render(
        request,
        "questionnaire/review.html",
        {
            "visit": visit,
            "invitation": visit.invitation,
            "round": visit.round,
            "summary": answer_summary(visit.sections, visit.answers, missing),
            "missing": missing,
            "counter": page_counter(visit.sections, visit.answers),
        },
    )


@never_cache
@require_POST
def submit(request: HttpRequest, token: str) -> HttpResponse:
    visit = _visit(request, token)
    if isinstance(visit, HttpResponse):
        return visit
    try:
        response_submit(
            invitation=visit.invitation,
            sections=visit.sections,
            receipt=True,
        )
    except IncompleteResponse:
        messages.error(request, _("Some required questions are not answered yet. They are marked below."))
        return redirect("questionnaire:review", token)
    return redirect("questionnaire:landing", token)


def receipt(request: HttpRequest, token: str, *, visit: Visit) -> HttpResponse:
    return render(
        request,
        "questionnaire/receipt.html",
        {
            "visit": visit,
            "invitation": visit.invitation,
            "round": visit.round,
            "response": visit.response,
            "summary": answer_summary(visit.sections, visit.answers),
            # Whom the copy of the answers goes to, where one was queued (a test link mails nobody).
            "copy_to": (
                receipt_recipients(visit.invitation, visit.answers)
                if visit.invitation.mails.filter(kind=MailKind.RECEIPT).exists()
                else []
            ),
        },
    )
