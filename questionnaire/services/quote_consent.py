"""The quote consent rule: a quote is published only if consented, named or anonymous; only a named one says who.

The rule holds alike for a library's quote in the questionnaire (the answer to its consent
question, codes.QUOTE_CONSENT, whose choices codes.NAMED and codes.ANONYMOUS checks.py
requires) and for a quote from an interview (InterviewQuote.consent, QuoteConsent: the same
codes, and NOT_FOR_PUBLICATION). Anything else, no answer included, means not published.
results.tallies and results.quotes publish by it; anonymising a round
(services.personal_data) keeps an interviewee's name only where it allows a quote to name them.
"""

from django.db.models import Q

from ..models import QuoteConsent

# The consents under which a quote may be published; of them, only NAMED tells who said it.
PUBLISHED = (QuoteConsent.NAMED.value, QuoteConsent.ANONYMOUS.value)


def may_publish(consent: str | None) -> bool:
    """Return whether a quote given *consent* may be published."""
    return consent in PUBLISHED


def may_name(consent: str | None) -> bool:
    """Return whether a quote given *consent* may be published with its author's name, title and place."""
    return consent == QuoteConsent.NAMED


def published_q(field: str = "consent") -> Q:
    """Return the condition that the consent in *field* lets a quote be published.

    *field* is ``consent`` for InterviewQuote rows, ``choice__code`` for the questionnaire's
    consent answers (Answer rows of codes.QUOTE_CONSENT).
    """
    return Q(**{f"{field}__in": PUBLISHED})


def named_q(field: str = "consent") -> Q:
    """Return the condition that the consent in *field* lets a quote be published with a name."""
    return Q(**{field: QuoteConsent.NAMED.value})
