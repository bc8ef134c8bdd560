"""robots.txt, /favicon.ico and the QR code's page (docs/discovery.md). The same for every visitor."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .links import absolute

# Crawlers may read every public page; what is private, per user, or endless is kept out of their way.
# (robots.txt is advice, not protection: those addresses need a login or hold no documents anyway.)
DISALLOWED = [
    "/admin/",  # the editors' admin
    "/me/",  # a counselor's own record, packages and favourites
    "/accounts/",  # sign-in, sign-up, profile
    "/learning/",  # the player's progress reports (POST)
    "/feedback/",  # ratings (POST)
    "/_util/",  # Wagtail's page-password form
    "/search/",  # result pages of any query: endless, and every result is in the sitemap
    "/api/",  # JSON for other platforms (their clients do not read robots.txt); pages are in the sitemap
]


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /", ""]
    lines.append(f"Sitemap: {absolute(reverse('discovery:sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; they follow a redirect to the SVG mark.
    return redirect(static("discovery/favicon.svg"), permanent=True)
