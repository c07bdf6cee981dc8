"""A round's own invitation and reminder texts: staff write them with placeholders, the mail fills them in.

A mail text is text with named holes, nothing more: a placeholder is a word in braces
(``{bibliotek}``), and ``{{`` and ``}}`` write a brace. Nothing else in braces is taken: no
format spec (``{bibliotek:>99999999}`` would make a page of 100 MB), no conversion, no attribute
or index, no number. The holes are filled in by this module's own substitution, never by
``str.format``, so even a text saved before these rules can only ever print as text. An empty
text means the shipped Danish one. The placeholders are Danish, as the staff who write them are.

A round's own text replaces only the middle of its mail: the shipped templates (composed in
``messages``) still greet the library ("Til {bibliotek}") above it and add the library's link
below it. ``doubled_parts`` points out a text that does either once more; it warns, as such a
mail still works.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# {placeholder: what it stands for, for the help text}
PLACEHOLDERS = ("bibliotek", "link", "frist", "kontakt", "runde")

# A written brace, a hole (whatever it holds), or a brace on its own.
TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
NAME = re.compile(r"[^\W\d_]+")  # letters only


def _holes(text: str):
    """Yield (match, what the hole holds) for every hole in *text*; a lone brace holds None."""
    for match in TOKEN.finditer(text):
        if match.group(0) not in ("{{", "}}"):
            yield match, match.group(1)


def validate_placeholders(text: str, *, known=PLACEHOLDERS, name=NAME) -> None:
    """Raise ValidationError, in Danish, naming every hole in *text* that a mail cannot fill in.

    *known* and *name* (the shape of a placeholder) serve other texts with holes: the report's
    findings (results.report.texts) have placeholders of their own, which may hold digits and ``_``.
    """
    holes = [inside for _match, inside in _holes(text)]
    if None in holes:
        raise ValidationError(
            _("A brace is not closed. Write a placeholder as {bibliotek}, and a brace itself as {{ or }}."),
            code="unclosed_brace",
        )
    shaped = [inside for inside in holes if not name.fullmatch(inside)]
    if shaped:
        raise ValidationError(
            _("%(holes)s cannot be used: a placeholder is only a word in braces, such as {bibliotek}."),
            code="placeholder_format",
            params={"holes": ", ".join(f"{{{inside}}}" for inside in dict.fromkeys(shaped))},
        )
    unknown = [inside for inside in holes if inside not in known]
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(unknown)s. You can use: %(known)s."),
            code="unknown_placeholder",
            params={
                "unknown": ", ".join(f"{{{hole}}}" for hole in dict.fromkeys(unknown)),
                "known": ", ".join(f"{{{placeholder}}}" for placeholder in known),
            },
        )


def fill_in(text: str, *, library, url: str, round) -> str:
    """Return *text* with its placeholders filled in for *library*; anything else in braces stays as written."""
    closes = round.closes_at
    deadline = date_format(timezone.localtime(closes), "DATETIME_FORMAT") if closes else _("no deadline set")
    values = {
        "bibliotek": library.name,
        "link": url,
        "frist": deadline,
        "kontakt": settings.SURVEY_CONTACT_EMAIL,
        "runde": round.title,
    }
    return substitute(text, values)


def substitute(text: str, values: dict[str, str]) -> str:
    """Return *text* with its holes named in *values* filled in, ``{{``/``}}`` as braces; the rest as written.

    This module's own substitution, never ``str.format``: a value is inserted as it is, once.
    """

    def value(match):
        written = match.group(0)
        if written in ("{{", "}}"):
            return written[0]
        return values.get(match.group(1), written)

    return TOKEN.sub(value, text)


# The first line of a text that greets: a greeting word, or the library's name alone.
GREETING = re.compile(
    r"(?:kære|til|hej|hejsa|hallo|goddag|god\s+dag|dear|hello|hi)\b.*|\{bibliotek\}\W*",
    re.IGNORECASE,
)
# A greeting is a short line: more words than this is a sentence that happens to start so ("Til lykke ...").
GREETING_WORDS = 6


def _greeting(text: str) -> str:
    """Return the first line of *text* if it greets the library ("" if not)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not GREETING.fullmatch(first):
        return ""
    if "{bibliotek}" in first or len(first.split()) <= GREETING_WORDS:
        return first
    return ""


def doubled_parts(text: str) -> list[str]:
    """Return, in Danish, what a mail body *text* holds that the shipped mail adds around it already.

    The mail greets the library above the text and gives its link below it (the templates of
    ``messages``): a text that begins with a greeting, or holds {link}, has it twice.
    """
    warnings = []
    if greeting := _greeting(text):
        warnings.append(
            _(
                "The text begins with a greeting (%(greeting)s), but the mail already begins with "
                "“%(shipped)s”: the library is greeted twice. Leave the greeting out of the text."
            )
            % {"greeting": f"“{greeting}”", "shipped": _("To %(library)s") % {"library": "{bibliotek}"}}
        )
    if any(inside == "link" for _match, inside in _holes(text)):
        warnings.append(
            _(
                "The text holds {link}, but the mail already gives the library's link below the text: "
                "the link is there twice. Leave {link} out of the text."
            )
        )
    return warnings
