"""A response's history as staff recorded it, read back: who changed it, when and why.

Reading only; ``corrections`` writes the ``ResponseChange`` rows. The library's landing page
and the reopening mail show the last reopening.
"""

from ..models import Response, ResponseChange, ResponseChangeKind


def response_reopening(response: Response) -> ResponseChange | None:
    """Return the staff change that last reopened *response* (who, when and why), or None."""
    return response.changes.filter(kind=ResponseChangeKind.REOPENED).order_by("-changed_at", "-pk").first()
