"""The open API (Wagtail API v2) serves live public pages with their facets, never drafts."""

import json
from io import StringIO

import pytest

from django.apps import apps
from django.core.management import call_command

from wagtail.models import PageViewRestriction

from resources.models import PolicyDocumentPage

from . import factories


@pytest.mark.django_db
def test_api_lists_micro_courses_with_their_facets(client, make_course):
    course = make_course(title="谈心谈话的技巧", capabilities=["mental_health"], stages=["new"], tags=["谈心谈话"])
    response = client.get("/api/v2/pages/", {"type": "microcourses.MicroCoursePage", "fields": "*"})
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["title"] == "谈心谈话的技巧"
    assert item["capability_codes"] == ["mental_health"]
    assert item["stage_codes"] == ["new"]
    assert item["tag_names"] == ["谈心谈话"]
    assert item["course_type_code"] == "theory"
    assert item["lecturer_name"] == course.lecturer.name
    assert item["center_code"] == "bnu"


@pytest.mark.django_db
def test_api_never_serves_drafts_or_private_pages(client, make_course):
    make_course(title="公开课")
    make_course(title="草稿课", live=False)
    private = make_course(title="内部课")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    titles = {
        i["title"] for i in client.get("/api/v2/pages/", {"type": "microcourses.MicroCoursePage"}).json()["items"]
    }
    assert titles == {"公开课"}


@pytest.mark.django_db
def test_api_serves_policy_metadata(client, tree):
    factories.PolicyDocumentPageFactory(parent=tree["notices"], doc_number="教思政厅函〔2023〕5号")
    response = client.get("/api/v2/pages/", {"type": "resources.PolicyDocumentPage", "fields": "*"})
    [item] = response.json()["items"]
    assert item["doc_number"] == "教思政厅函〔2023〕5号"
    assert item["issuer"] == "教育部办公厅" and item["publication_date"] == "2023-05-05"


@pytest.mark.django_db
def test_no_api_lists_every_document(client):
    assert client.get("/api/v2/documents/").status_code == 404
    assert client.get("/api/v2/images/").status_code == 404


@pytest.mark.django_db
def test_an_attachment_of_a_draft_is_not_served_to_the_public(client, tree, django_user_model, tmp_path):
    (tmp_path / "secret.txt").write_text("草稿附件", encoding="utf-8")
    line = {"kind": "policy", "slug": "draft", "title": "草稿通知", "live": False, "attachments": ["secret.txt"]}
    (tmp_path / "m.jsonl").write_text(json.dumps(line, ensure_ascii=False), encoding="utf-8")
    call_command("import_resources", str(tmp_path / "m.jsonl"), stdout=StringIO())
    policy = PolicyDocumentPage.objects.get()
    url = policy.attachments.get().document.url
    assert client.get(url).status_code == 404
    editor = django_user_model.objects.create_superuser("editor", "", "pw")
    client.force_login(editor)
    assert client.get(url).status_code == 200  # editors preview drafts with their files
    client.logout()
    policy.get_latest_revision().publish()
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_html_url_starts_with_base_url(client, make_course, settings):
    """The default site takes BASE_URL's host and port on every migrate (Wagtail made it localhost:80)."""
    from django.db.models.signals import post_migrate

    from wagtail.models import Site

    course = make_course(title="谈心谈话的技巧")
    settings.WAGTAILADMIN_BASE_URL = "https://hub.example.edu.cn"
    Site.objects.filter(is_default_site=True).update(hostname="localhost", port=80)
    post_migrate.send(sender=apps.get_app_config("home"), app_config=apps.get_app_config("home"), using="default")
    post_migrate.send(sender=apps.get_app_config("home"), app_config=apps.get_app_config("home"), using="default")
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("hub.example.edu.cn", 443)
    [item] = client.get("/api/v2/pages/", {"type": "microcourses.MicroCoursePage"}).json()["items"]
    assert item["meta"]["html_url"] == "https://hub.example.edu.cn" + course.url


@pytest.mark.django_db
def test_the_test_database_was_migrated_with_base_url(settings):
    from urllib.parse import urlsplit

    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    assert site.hostname == urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/search/?q=谈心", "/api/search/suggest/?q=谈心", "/api/search/health/", "/api/v2/pages/"]
)
def test_head_answers_like_get_without_a_body(client, tree, url):
    get, head = client.get(url), client.head(url)
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""
