"""Every address that takes a number in its path, given one past the databases' 64-bit integers: a 404 (or a
refusal), never a server error. SQLite raises on such a number instead of finding nothing."""

import re

import pytest

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from wagtail.models import PageViewRestriction

from . import factories

pytestmark = pytest.mark.django_db

HUGE = (str(2**63), "9" * 25)
INT = re.compile(r"<(?:int|id):(\w+)>")


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


# What <id:…> refuses but a library's <int:…> or (\d+) takes: 1 padded to 20 digits, 1 in full-width digits.
NOT_OURS = ("0" * 19 + "1", "１")


@pytest.mark.parametrize(
    "route",
    [
        "/_util/authenticate_with_password/{}/{}/",
        "/documents/{}/handbook.pdf",
        "/admin/media/usage/{}/",
        "/admin/images/usage/{}/",
        "/admin/documents/usage/{}/",
    ],
)
def test_a_number_ours_refuses_does_not_reach_the_library_route_ours_replaces(route):
    """Our routes in place of Wagtail's (hub.urls, editorial's usage pages) hold checks Wagtail's lack: the
    page-password lockout, the file gate, the scoping of usage pages. An id in another spelling is no
    address at all, not Wagtail's."""
    for number in NOT_OURS:
        try:
            match = resolve(route.format(number, number))
        except Resolver404:
            continue
        view = getattr(match.func, "view_class", match.func)
        assert not view.__module__.startswith(("wagtail", "wagtailmedia")), (route, number, view)


def test_page_passwords_cannot_be_guessed_past_the_lockout_through_a_padded_id(client, make_course, settings):
    course = make_course(title="内部培训课程")
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.PASSWORD, password="open-sesame"
    )
    url = f"/_util/authenticate_with_password/{'0' * 19}{restriction.pk}/{course.pk}/"
    for _ in range(settings.PAGE_PASSWORD_FAILURE_LIMIT + 1):
        response = client.post(url, {"password": "guess", "return_url": course.url}, REMOTE_ADDR="203.0.113.9")
        assert response.status_code in (404, 429)
    response = client.post(url, {"password": "open-sesame", "return_url": course.url}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code != 302
