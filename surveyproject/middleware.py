import codecs
import logging
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.core.files.uploadhandler import FileUploadHandler
from django.db import InterfaceError, OperationalError
from django.http.multipartparser import MultiPartParserError
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


# Every page of the site is UTF-8, and so is every form it sends (ASCII is a part of it).
REQUEST_CHARSETS = {"utf-8", "ascii"}


def _charset_known(name: str) -> bool:
    try:
        return codecs.lookup(name).name in REQUEST_CHARSETS
    except (LookupError, ValueError, TypeError):
        return False


class UnreadableRequestMiddleware:
    """Refuse with the Danish 400 page, before anything reads it, a request no page can read.

    - A NUL in the path or the query string: nobody types one, and PostgreSQL cannot
      compare text with it (a token, an admin search or autocomplete term).
    - A Content-Type whose charset is not UTF-8 (utf-7, utf-16, base64, an unknown name):
      Django would decode the query string and the form with it and fail, and so would
      the error pages that look at the request again.
    - A file sent to a respondent page: no question takes one, so the post is refused at
      the file part's header instead of the file being saved past the post-size limit.

    Place it before anything that reads request.GET or request.POST (CSRF, sessions).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = request.content_params.get("charset")
        if charset is not None and not _charset_known(charset):
            raise BadRequest("Unknown request charset")
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            raise BadRequest("NUL in the URL")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match is not None and request.resolver_match.app_name == "questionnaire":
            request.upload_handlers = [FilePartRefused(request)]
        return None


class FileRefused(MultiPartParserError):
    """A file part where no page takes a file (Django answers a MultiPartParserError with 400)."""


class FilePartRefused(FileUploadHandler):
    """Take a form's fields, refuse its first file part before reading any of the file."""

    def new_file(self, *args, **kwargs):
        raise FileRefused("This page takes no files.")

    def receive_data_chunk(self, raw_data, start):  # never reached: new_file refuses first
        raise FileRefused("This page takes no files.")

    def file_complete(self, file_size):
        return None
