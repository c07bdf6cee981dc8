"""The error pages for a bad request and a server error: Danish, and blind to the request.

Django's own handlers are wrapped in ``requires_csrf_token``, which reads request.POST
again; when the body was what broke the request (an unknown charset), that raised
once more and gunicorn answered with its bare English page. These render the
template with nothing from the request, as Django's do once past the decorator.
"""

from django.http import HttpResponseBadRequest, HttpResponseServerError
from django.template.loader import render_to_string


def bad_request(request, exception):
    return HttpResponseBadRequest(render_to_string("400.html"))


def server_error(request):
    return HttpResponseServerError(render_to_string("500.html"))
