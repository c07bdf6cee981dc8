import logging

from django.db import InterfaceError, OperationalError
from django.template.response import SimpleTemplateResponse

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Answer a lost database connection with a clear 503 page instead of a crash.

    Writes run in transactions, so nothing is half-saved; the page says that the
    answers on it were not saved and that sending it again once the database is
    back will save them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s", exception)
        # A plain template: no context processors, nothing that needs the database.
        response = SimpleTemplateResponse("503.html", status=503)
        response["Retry-After"] = "30"
        return response.render()
