"""The error pages for a bad request and a server error: Danish, and blind to the request; the site's icon.

Django's own handlers are wrapped in ``requires_csrf_token``, which reads request.POST
again; when the body was what broke the request (an unknown charset), that raised
once more and gunicorn answered with its bare English page. These render the
template with nothing from the request, as Django's do once past the decorator.
"""

from datetime import date

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


def bad_request(request, exception):
    return HttpResponseBadRequest(render_to_string("400.html"))


def server_error(request):
    return HttpResponseServerError(render_to_string("500.html"))


@cache_control(max_age=60 * 60 * 24, public=True)
def favicon(request):
    """Send /favicon.ico to the static icon (collected and hashed in production, as every static file)."""
    return HttpResponseRedirect(static("questionnaire/favicon.ico"))


def privacy_notice(request):
    """What a public Danish site owes the persons whose data it holds (GDPR art. 13)."""
    return render(
        request,
        "about/privacy.html",
        {
            "controller": settings.DATA_CONTROLLER,
            "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS,
            "small_group_min": settings.SMALL_GROUP_MIN,
        },
    )


# The day the accessibility statement was last checked against the pages; change it when it is again.
ACCESSIBILITY_REVIEWED_ON = date(2026, 12, 4)


def accessibility_statement(request):
    """The accessibility statement, in the structure Danish public bodies use (Digitaliseringsstyrelsen)."""
    return render(
        request,
        "about/accessibility.html",
        {"controller": settings.DATA_CONTROLLER, "reviewed_on": ACCESSIBILITY_REVIEWED_ON},
    )
