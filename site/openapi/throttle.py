"""How many API requests one client may make (OPENAPI_RATE), counted in Django's cache.

A fixed window per client address (hub.clientip, which believes X-Forwarded-For only from
TRUSTED_PROXIES): the count of the current window is one cache key that expires with the window, so
nothing grows with the number of requests and a client's count starts afresh each window."""

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from hub.clientip import client_ip

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
MAX_COUNT = 1_000_000


def parse_rate(rate):
    """ "600/minute" -> (600, 60); "" -> None (no limit)."""
    if not rate:
        return None
    match = re.fullmatch(r"\s*(\d{1,7})\s*/\s*(second|minute|hour|day)\s*", rate)
    if not match or not 1 <= int(match[1]) <= MAX_COUNT:
        raise ImproperlyConfigured(
            f"OPENAPI_RATE must be '<1..{MAX_COUNT}>/<second|minute|hour|day>' or empty, not {rate!r}"
        )
    return int(match[1]), PERIODS[match[2]]


def check(request):
    """None when the request may go on, else the seconds until the client's window ends."""
    rate = parse_rate(settings.OPENAPI_RATE)
    if rate is None:
        return None
    count, period = rate
    now = time.time()
    window = int(now // period)
    key = f"openapi:rate:{period}:{window}:{client_ip(request)[:64]}"
    cache.add(key, 0, timeout=period + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.set(key, 1, timeout=period + 1)
        used = 1
    if used <= count:
        return None
    return max(1, int((window + 1) * period - now + 0.999))
