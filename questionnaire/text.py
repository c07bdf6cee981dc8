"""The one rule for text: what comes in is cleaned or refused once, what goes out is safe whatever is stored.

- A NUL character is refused where text comes in (a form field, a register file, a URL):
  PostgreSQL cannot store it, and nobody types it.
- Other control characters (``\\x01``, an escape sequence, Word's vertical tab) are
  invisible, and XML (workbooks, SVG) cannot hold them: they are removed from what a
  library or a file sends, silently, as nobody meant them. Tab and line breaks stay.
- Every writer of a file (spreadsheets.py, the map) removes them again with
  ``text_clean``, so that text stored before this rule, or by a path that forgot it,
  cannot break an export for everybody.
- An e-mail address is accepted only if mail can use it: the mail layer encodes the
  domain with IDNA (labels of at most 63 characters) and the address column holds 254.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; the two
# non-characters and lone surrogates, which XML cannot hold either.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")

EMAIL_MAX_LENGTH = 254  # RFC 5321's path limit, and the e-mail columns' length
# Unicode categories that print nothing: controls, format characters (zero-width space,
# direction marks, soft hyphen), separators, private use and unassigned code points.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cn", "Cs", "Zs", "Zl", "Zp"}


def text_clean(value: str) -> str:
    """Return *value* without control characters (tab and line breaks are kept)."""
    return CONTROL_CHARACTERS.sub("", value)


def validate_mail_address(value: str) -> None:
    """Raise ValidationError unless mail can be sent to *value* (already a valid e-mail address in form)."""
    if len(value) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("An e-mail address can have at most %(limit)d characters."),
            code="email_too_long",
            params={"limit": EMAIL_MAX_LENGTH},
        )
    if any(unicodedata.category(character) in INVISIBLE_CATEGORIES for character in value):
        raise ValidationError(
            _("The e-mail address contains an invisible character or a space; please type it again."),
            code="email_invisible",
        )
    domain = value.rpartition("@")[2]
    try:
        domain.encode("idna")
    except UnicodeError as error:
        raise ValidationError(
            _("The domain of the e-mail address (after @) cannot receive mail: each part can have at most 63 letters."),
            code="email_domain",
        ) from error
