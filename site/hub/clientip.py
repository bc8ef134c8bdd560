"""The client's address, for counting failed logins and logging refusals.

Without a proxy in front, it is the connection's address (REMOTE_ADDR): headers a client sends
are not believed. When TRUSTED_PROXIES lists the address the request came from (nginx on the same
machine: 127.0.0.1), the address nginx saw is taken from the header it sets:
`X-Forwarded-For` (`proxy_add_x_forwarded_for` appends the peer's address, so the last entry not
itself a trusted proxy is the client: anything to its left was written by the client), or
`X-Real-IP` if there is no X-Forwarded-For.
"""

import ipaddress

from django.conf import settings


def _valid(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _trusted(address):
    return address in settings.TRUSTED_PROXIES


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        address = _valid(entry)
        if address is None:
            break  # garbage: stop at what the proxies vouch for
        if not _trusted(address):
            return address
    return _valid(request.META.get("HTTP_X_REAL_IP", "")) or remote
