"""The address of the client, as the sign-in lockout (django-axes) and the password-reset limit see it.

By default the connection's address (REMOTE_ADDR). Behind a reverse proxy every request comes from the proxy's
address, so that a lockout keyed on it would lock everyone out: set `TRUSTED_PROXY_HEADER` (the META name of the
header the proxy writes, e.g. HTTP_X_FORWARDED_FOR) and `TRUSTED_PROXY_COUNT` (how many proxies of ours append to
it, 1 by default). The address is then read from the right of that header — the entries our proxies appended —
never from its left, which the client writes itself. Leave the setting empty when no proxy of ours sits in front:
a client could then forge the header.
"""

import ipaddress

from django.conf import settings


def _address(text: str) -> str | None:
    text = text.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    if not header:
        return remote
    entries = [entry for entry in request.META.get(header, "").split(",") if entry.strip()]
    count = max(1, getattr(settings, "TRUSTED_PROXY_COUNT", 1))
    if len(entries) < count:
        return remote
    return _address(entries[-count]) or remote
