"""A round's own invitation and reminder texts: staff write them with placeholders, the mail fills them in.

A placeholder is a word in braces; ``{{`` and ``}}`` write a brace. An empty text means the
shipped Danish one. The placeholders are Danish, as the staff who write the texts are.
"""

from string import Formatter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# {placeholder: what it stands for, for the help text}
PLACEHOLDERS = ("bibliotek", "link", "frist", "kontakt", "runde")


def _names(text: str) -> list[str]:
    try:
        return [name for _literal, name, _spec, _conversion in Formatter().parse(text) if name is not None]
    except ValueError:
        raise ValidationError(
            _("A brace is not closed. Write a placeholder as {bibliotek}, and a brace itself as {{ or }}."),
            code="unclosed_brace",
        ) from None


def validate_placeholders(text: str) -> None:
    """Raise ValidationError, in Danish, naming every placeholder in *text* that a mail cannot fill in."""
    unknown = [name for name in _names(text) if name not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(unknown)s. You can use: %(known)s."),
            code="unknown_placeholder",
            params={
                "unknown": ", ".join(f"{{{name}}}" for name in dict.fromkeys(unknown)),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
        )


def fill_in(text: str, *, library, url: str, round) -> str:
    """Return *text* with its placeholders filled in for *library* (validated texts only)."""
    closes = round.closes_at
    deadline = date_format(timezone.localtime(closes), "DATETIME_FORMAT") if closes else _("no deadline set")
    return text.format(
        bibliotek=library.name, link=url, frist=deadline, kontakt=settings.SURVEY_CONTACT_EMAIL, runde=round.title
    )
