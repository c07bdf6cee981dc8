"""One line per log record: time, level, logger, message; and nothing in it that identifies a person.

The app's code logs ids (a library's, a mail's), never an e-mail address, a personal link's
token or an answer. This formatter is the backstop for what others write (Django's request
log prints the path, which for a library's pages holds its token; a mail server's refusal
quotes the address): e-mail addresses become ``<address>`` and the token in ``/s/<token>/``
becomes ``…``. A traceback stays on the record's line, its line breaks written as ``\\n``,
so that one record is one line in the journal.

The web server (gunicorn, deploy/gunicorn.conf.py) and the worker write through the same format.
"""

import logging
import re

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"

EMAIL_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
PERSONAL_LINK = re.compile(r"/s/[^/\s?#\"']+")


def redact(text: str) -> str:
    """Return *text* with e-mail addresses and personal links' tokens left out."""
    return PERSONAL_LINK.sub("/s/…", EMAIL_ADDRESS.sub("<address>", text))


class LineFormatter(logging.Formatter):
    """FORMAT on one line, redacted (see the module's docstring)."""

    def __init__(self, fmt=FORMAT, datefmt=DATE_FORMAT, **kwargs):
        super().__init__(fmt, datefmt, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record)).replace("\r", "").replace("\n", "\\n")


def axes_client(username, ip_address, user_agent, path_info, request) -> str:
    """What django-axes writes about a failed staff login: the page only (the attempts are in the admin, under Axes)."""
    if isinstance(path_info, tuple | list):
        path_info = path_info[0] if path_info else ""
    return f"{{path_info: {path_info!r}}}"


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is in requirements.txt
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's own log (``logger_class`` in deploy/gunicorn.conf.py) in the app's one-line format."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(LineFormatter())
