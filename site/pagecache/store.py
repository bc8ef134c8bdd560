"""Where copies of pages are kept, and the generation that invalidates them all at once.

Every copy carries the generation it was made in; a change to anything public sets a new generation
(`bump`), and copies of older generations are never served again (they expire by themselves). One
`get_many` reads the generation and the copy together: one round trip to Redis, two small file reads."""

import functools
import hashlib
import time
import uuid

from django.conf import settings
from django.core.cache import InvalidCacheBackendError
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

GENERATION_KEY = "pagecache:generation"


@functools.cache
def backend():
    """The cache of settings.PAGECACHE_CACHE (its own, not the default cache: copies must not evict the
    rate-limit counters, and the default cache is each process's memory)."""
    config = dict(settings.PAGECACHE_CACHE)
    try:
        backend_class = import_string(config.pop("BACKEND"))
    except ImportError as error:
        raise InvalidCacheBackendError(f"PAGECACHE_CACHE: {error}") from error
    return backend_class(config.pop("LOCATION", ""), config)


@receiver(setting_changed)
def _reset(setting, **kwargs):
    if setting == "PAGECACHE_CACHE":
        backend.cache_clear()
    else:  # (tests) a page rendered under other settings (the footer's contact, a limit) is stale
        bump()


def new_generation():
    return uuid.uuid4().hex[:12]


def bump():
    """Every copy made so far is stale."""
    backend().set(GENERATION_KEY, new_generation(), None)


def lookup(key):
    """(current generation, the copy if it belongs to it or None)."""
    cache = backend()
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        # The first request, or the file was culled: start a generation (no copy can belong to it yet).
        generation = new_generation()
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY) or generation
        return generation, None
    entry = found.get(key)
    if entry is None or entry.get("generation") != generation:
        return generation, None
    return generation, entry


def _count(cache, counter, seconds):
    cache.add(counter, 0, seconds * 2)
    try:
        return cache.incr(counter)
    except ValueError:  # expired between add and incr
        return 1


def store(key, entry, client=""):
    """Keep a copy, unless PAGECACHE_MAX_ENTRIES copies were already made in this period of
    PAGECACHE_SECONDS (every backend is then bounded, Redis included, whatever URLs visitors invent), or
    this client address made PAGECACHE_MAX_ENTRIES_PER_CLIENT of them (one visitor cannot use up the rest)."""
    cache = backend()
    seconds = settings.PAGECACHE_SECONDS
    period = int(time.time() // seconds)
    client_key = "pagecache:client:" + hashlib.sha256(client.encode()).hexdigest()[:32] + f":{period}"
    if _count(cache, client_key, seconds) > settings.PAGECACHE_MAX_ENTRIES_PER_CLIENT:
        return False
    if _count(cache, f"pagecache:stored:{period}", seconds) > settings.PAGECACHE_MAX_ENTRIES:
        return False
    cache.set(key, entry, seconds)
    return True
