"""Security headers on every public page, a looser policy in the admin, and no inline code in the
public templates (the strict policy would block it)."""

import re
from pathlib import Path

import pytest

from . import factories

ROOT = Path(__file__).resolve().parent.parent


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.fixture
def public_urls(tree, make_course):
    course = make_course(title="谈心谈话技巧")
    notice = factories.PolicyDocumentPageFactory(parent=tree["notices"], title="关于做好培训工作的通知")
    case = factories.CasePageFactory(parent=tree["cases"], title="一次心理危机的处置")
    return ["/", tree["library"].url, course.url, notice.url, case.url, "/search/?q=谈心", "/api/search/?q=谈心"]


@pytest.mark.django_db
def test_public_pages_send_the_security_headers(client, public_urls):
    for url in public_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        assert policy["default-src"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"], url  # no 'unsafe-inline', no 'unsafe-eval'
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'self'"]
        assert "blob:" in policy["media-src"]  # hls.js plays through Media Source Extensions
        permissions = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "fullscreen=(self)"):
            assert feature in permissions, url
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_admin_gets_its_own_looser_policy(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "", "pw"))
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    # The login page too: it is the one an attacker sees.
    client.logout()
    assert "'unsafe-inline'" in directives(client.get("/admin/login/"))["script-src"]


@pytest.mark.django_db
def test_editors_see_public_pages_with_the_admins_policy_and_visitors_never(
    client, public_urls, people, django_user_model
):
    """Wagtail's userbar (编辑此页) on the pages an editor views sets inline styles; a visitor who is
    logged in without admin access (a counselor, to come) keeps the strict policy."""
    client.force_login(people["editor_a"])
    assert "'unsafe-inline'" in directives(client.get(public_urls[2]))["style-src"]
    client.force_login(django_user_model.objects.create_user("counselor", "c@example.edu.cn", "pw"))
    assert directives(client.get(public_urls[2]))["style-src"] == ["'self'"]


@pytest.mark.django_db
def test_hsts_and_secure_cookies_in_production_settings(client, tree, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


PUBLIC_TEMPLATES = [
    *ROOT.glob("site/*/templates/**/*.html"),
    *ROOT.glob("search/templates/**/*.html"),
    *ROOT.glob("media/templates/**/*.html"),
]
# The admin's own templates (editorial, media's admin pages) run under the admin's policy.
ADMIN_TEMPLATE_DIRS = ("editorial", "wagtailmedia", "wagtailadmin", "media/bulk_upload")


@pytest.mark.parametrize(
    "path",
    [p for p in PUBLIC_TEMPLATES if not any(d in str(p.relative_to(ROOT)) for d in ADMIN_TEMPLATE_DIRS)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_public_templates_have_no_inline_code(path):
    text = path.read_text("utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>: move it to a static file"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler: bind it in a static script"
    assert not re.search(r"\sstyle\s*=", text), "inline style attribute: use a class in a static stylesheet"
