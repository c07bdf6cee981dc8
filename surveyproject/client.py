"""The client's address, as the outermost proxy the app trusts saw it.

Behind a reverse proxy every request comes from the proxy's address; the proxy appends the
address it was reached from to ``X-Forwarded-For``. With ``TRUSTED_PROXY_COUNT`` proxies in a
chain, the client is the entry that many places from the right: whatever stands left of it the
client wrote itself, and is ignored. With no trusted proxy the header is ignored altogether, so a
client cannot pick its own address (and so lock DB staff out, or dodge its own lockout).

django-axes reads it (``AXES_CLIENT_IP_CALLABLE``). Not django-ipware: its proxy count counts
the proxies listed in the header and gives no address when the header holds fewer entries, which
behind a single nginx would put every client at one address for the lockout.
"""

from django.conf import settings


def client_address(request) -> str | None:
    """Return the address of the client that sent *request*."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
