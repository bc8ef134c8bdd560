"""Every address that takes a number in its path, given one past the databases' 64-bit integers: a 404 (or a
refusal), never a server error. SQLite raises on such a number instead of finding nothing."""

import re

import pytest

from django.urls import URLPattern, URLResolver, get_resolver

from . import factories

pytestmark = pytest.mark.django_db

HUGE = (str(2**63), "9" * 25)
INT = re.compile(r"<int:(\w+)>")


def routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry, route)
        elif isinstance(entry, URLPattern) and INT.search(route):
            yield route


def addresses(number):
    for route in sorted(set(routes())):
        path = "/" + INT.sub(number, route).replace("^", "").replace("$", "")
        path = re.sub(r"<slug:\w+>", "c0", path)
        path = re.sub(r"<(str|path):\w+>", "x", path)
        yield path


def test_there_are_addresses_to_try():
    assert len(list(addresses("1"))) >= 30


@pytest.mark.parametrize("number", HUGE, ids=["2**63", "25 digits"])
def test_a_number_past_the_databases_integers_is_not_found(client, tree, number):
    user = factories.CounselorFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    client.raise_request_exception = False  # collect every failure, not only the first
    failures = []
    for path in addresses(number):
        for method in ("get", "post"):
            status = getattr(client, method)(path).status_code
            if status >= 500:
                failures.append((method, path, status))
    assert failures == []
