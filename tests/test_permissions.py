"""Per-center roles: a center's editors and reviewers work only on their own center; nobody sees
another center's drafts or files, in the admin, its choosers, its reports or the APIs."""

import pytest

from django.core.files.base import ContentFile

from wagtail.documents import get_document_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import GroupPagePermission

from editorial import roles
from media.models import Video
from microcourses.models import MicroCoursePage

from . import factories

A_DRAFT = "甲中心尚未发布的谈心谈话微课"
B_DRAFT = "乙中心尚未发布的网络舆情微课"
B_VIDEO = "乙中心的讲课视频"
B_IMAGE = "乙中心的海报图片"
B_DOCUMENT = "乙中心的内部材料"
A_VIDEO = "甲中心的讲课视频"


def text(response):
    """What the user reads: modal views answer JSON, whose \\u escapes would hide every Chinese title
    from an `in` test."""
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        if isinstance(data, dict) and "html" in data:
            return data["html"]
    return response.content.decode()


def member(django_user_model, username, *groups):
    user = django_user_model.objects.create_user(username, f"{username}@example.edu.cn", "pw")
    user.groups.add(*groups)
    return user


@pytest.fixture
def centers(tree):
    a = factories.TrainingCenterFactory(code="bnu", name="北京师范大学中心")
    b = factories.TrainingCenterFactory(code="sdu", name="山东大学中心")
    a.refresh_from_db()
    b.refresh_from_db()
    return a, b


@pytest.fixture
def people(centers, django_user_model):
    a, b = centers
    return {
        "editor_a": member(django_user_model, "editor_a", a.editors_group),
        "reviewer_a": member(django_user_model, "reviewer_a", a.reviewers_group),
        "editor_b": member(django_user_model, "editor_b", b.editors_group),
        "reviewer_b": member(django_user_model, "reviewer_b", b.reviewers_group),
    }


def draft_course(center, title, slug):
    """A course with everything publishing asks for (microcourses.forms), not yet live."""
    video = Video.objects.create(
        title=f"{title}（视频）", file=f"videos/originals/{slug}.mp4", collection=center.collection
    )
    page = factories.MicroCoursePageFactory(
        parent=center.section,
        center=center,
        title=title,
        slug=slug,
        video=video,
        capabilities=["mental_health"],
        stages=["new"],
    )
    page.live = False
    page.has_unpublished_changes = True
    page.save()
    page.save_revision()
    return page


@pytest.fixture
def work(centers, people):
    """A draft course in each center (B's submitted for review), and B's files in B's collection."""
    a, b = centers
    a_draft = draft_course(a, A_DRAFT, "a-draft")
    b_draft = draft_course(b, B_DRAFT, "b-draft")
    b_draft.get_workflow().start(b_draft, people["editor_b"])
    b_video = Video.objects.create(title=B_VIDEO, file="videos/originals/b.mp4", collection=b.collection)
    a_video = Video.objects.create(title=A_VIDEO, file="videos/originals/a.mp4", collection=a.collection)
    from wagtail.images import get_image_model

    b_image = get_image_model().objects.create(title=B_IMAGE, file=get_test_image_file(), collection=b.collection)
    b_document = get_document_model().objects.create(
        title=B_DOCUMENT, file=ContentFile(b"internal", name="b.txt"), collection=b.collection
    )
    return {
        "a_draft": a_draft,
        "b_draft": b_draft,
        "b_video": b_video,
        "a_video": a_video,
        "b_image": b_image,
        "b_document": b_document,
    }


@pytest.fixture
def as_editor_a(client, people):
    client.force_login(people["editor_a"])
    return client


# -- what creating a center sets up ----------------------------------------------------------


@pytest.mark.django_db
def test_a_new_center_gets_its_groups_collection_and_section_rights(centers):
    a, _b = centers
    assert a.editors_group.name == "北京师范大学中心·编辑"
    assert a.reviewers_group.name == "北京师范大学中心·审核"
    assert a.collection.name == "北京师范大学中心"
    rights = set(GroupPagePermission.objects.filter(page=a.section).values_list("group__name", "permission__codename"))
    assert ("北京师范大学中心·编辑", "change_page") in rights
    # Nobody in a center publishes directly: approval in the workflow does.
    assert not any(codename == "publish_page" for _group, codename in rights)

    a.name = "北京师范大学培训研修中心"
    a.save()
    a.refresh_from_db()
    assert a.editors_group.name == "北京师范大学培训研修中心·编辑"
    assert a.collection.name == "北京师范大学培训研修中心"


@pytest.mark.django_db
def test_roles_know_each_users_centers(centers, people):
    a, b = centers
    assert roles.center_ids_for(people["editor_a"]) == {a.pk}
    assert roles.center_ids_for(people["reviewer_b"], roles.REVIEWER) == {b.pk}
    assert roles.center_ids_for(people["editor_b"], roles.REVIEWER) == set()
    assert roles.can_review(people["reviewer_a"], a) and not roles.can_review(people["reviewer_a"], b)


# -- the admin's page views ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_editor_edits_own_center_but_not_anothers(as_editor_a, work):
    assert as_editor_a.get(f"/admin/pages/{work['a_draft'].pk}/edit/").status_code == 200
    for url in (
        f"/admin/pages/{work['b_draft'].pk}/edit/",
        f"/admin/pages/{work['b_draft'].pk}/view_draft/",
        f"/admin/pages/{work['b_draft'].pk}/history/",
        f"/admin/pages/{work['b_draft'].pk}/delete/",
        f"/admin/pages/add/microcourses/microcoursepage/{work['b_draft'].get_parent().pk}/",
    ):
        response = as_editor_a.get(url)
        assert response.status_code in (302, 403, 404), url
        assert B_DRAFT not in response.text, url


@pytest.mark.django_db
def test_another_centers_drafts_are_not_listed_anywhere_in_the_admin(as_editor_a, work):
    b_section = work["b_draft"].get_parent()
    a_section = work["a_draft"].get_parent()
    # The editor's own section lists the own draft (so the checks below can fail).
    assert A_DRAFT in as_editor_a.get(f"/admin/pages/{a_section.pk}/").text
    for url in (
        f"/admin/pages/{b_section.pk}/",
        "/admin/pages/search/?q=微课",
        f"/admin/choose-page/{b_section.pk}/",
        "/admin/choose-page/search/?q=微课",
        f"/admin/api/main/pages/?child_of={b_section.pk}&for_explorer=1",
        "/admin/api/main/pages/?search=微课",
        "/admin/reports/site-history/",
        "/admin/reports/workflow/",
        "/admin/reports/workflow_tasks/",
        "/admin/reports/locked/",
        "/admin/",
    ):
        assert B_DRAFT not in text(as_editor_a.get(url)), url
    # The page chooser still shows the own draft, and other centers' published work for linking.
    assert A_DRAFT in text(as_editor_a.get("/admin/choose-page/search/?q=微课"))
    assert A_DRAFT in text(as_editor_a.get(f"/admin/choose-page/{a_section.pk}/"))


@pytest.mark.django_db
def test_another_centers_reviewer_is_not_shown_its_work_in_review(client, people, work):
    client.force_login(people["reviewer_a"])
    for url in ("/admin/", "/admin/reports/workflow/", "/admin/reports/workflow_tasks/"):
        assert B_DRAFT not in client.get(url).text, url
    client.force_login(people["reviewer_b"])
    assert B_DRAFT in client.get("/admin/").text  # "awaiting your review" on their dashboard


@pytest.mark.django_db
def test_an_editor_cannot_publish_even_own_work(as_editor_a, work):
    page = work["a_draft"]
    response = as_editor_a.post(f"/admin/pages/{page.pk}/edit/", edit_data(page, **{"action-publish": "publish"}))
    page.refresh_from_db()
    assert not page.live
    assert response.status_code in (200, 302, 403)


def edit_data(page, **extra):
    data = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "body-count": "0",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    # A browser posts the fields the form shows with their current values: a course keeps its choices.
    specific = page.specific
    for name in ("lecturer", "video", "course_type", "requirement", "tier"):
        if getattr(specific, f"{name}_id", None):
            data[name] = str(getattr(specific, f"{name}_id"))
    if getattr(specific, "learning_hours", None) is not None:
        data["learning_hours"] = str(specific.learning_hours)
    for name in ("capabilities", "stages"):
        if hasattr(specific, name) and specific.pk:
            data[name] = [str(pk) for pk in getattr(specific, name).values_list("pk", flat=True)]
    data.update(extra)
    return data


# -- files: videos, images, documents ------------------------------------------------------------


@pytest.mark.django_db
def test_another_centers_files_are_neither_listed_nor_editable(as_editor_a, work):
    assert A_VIDEO in as_editor_a.get("/admin/media/").text
    for url in (
        "/admin/media/",
        "/admin/media/chooser/",
        "/admin/media/chooser/?q=视频",
        "/admin/images/",
        "/admin/images/chooser/",
        "/admin/documents/",
        "/admin/documents/chooser/",
        "/admin/documents/chooser/results/?q=材料",
    ):
        html = text(as_editor_a.get(url))
        assert B_VIDEO not in html and B_IMAGE not in html and B_DOCUMENT not in html, url
    for url in (
        f"/admin/media/edit/{work['b_video'].pk}/",
        f"/admin/media/delete/{work['b_video'].pk}/",
        f"/admin/videos/{work['b_video'].pk}/status/",
        f"/admin/images/{work['b_image'].pk}/",
        f"/admin/documents/edit/{work['b_document'].pk}/",
    ):
        response = as_editor_a.get(url)
        assert response.status_code in (302, 403, 404), url


@pytest.mark.django_db
def test_attachments_of_another_centers_draft_are_not_served(client, work, people):
    from resources.models import ResourceAttachment

    ResourceAttachment.objects.create(page=work["b_draft"], document=work["b_document"])
    url = work["b_document"].url
    client.force_login(people["editor_a"])
    assert client.get(url).status_code == 404
    client.force_login(people["editor_b"])
    assert client.get(url).status_code == 200  # B's own editors preview their draft's files


@pytest.mark.django_db
def test_an_editors_upload_goes_to_the_own_centers_collection_only(as_editor_a, centers):
    a, b = centers
    response = as_editor_a.get("/admin/media/video/add/")
    if response.status_code == 404:
        response = as_editor_a.get("/admin/media/add/video/")
    # One collection allowed: Wagtail hides the field and files the upload there.
    assert list(response.context["form"].collections) == [a.collection]


# -- the public APIs ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_drafts_are_not_in_the_public_apis(client, work):
    assert client.get(f"/api/v2/pages/{work['b_draft'].pk}/").status_code == 404
    assert B_DRAFT not in client.get("/api/v2/pages/?type=microcourses.MicroCoursePage&fields=title").text
    assert B_DRAFT not in client.get("/api/search/?q=网络舆情").text


@pytest.mark.django_db
def test_editor_logged_in_sees_no_other_drafts_in_the_apis(as_editor_a, work):
    assert as_editor_a.get(f"/api/v2/pages/{work['b_draft'].pk}/").status_code == 404
    assert B_DRAFT not in as_editor_a.get("/api/search/?q=网络舆情").text


@pytest.mark.django_db
def test_only_the_center_may_see_its_draft_previews_and_platform_admins_see_all(client, work, django_user_model):
    admin = member(django_user_model, "platform", roles.ensure_platform_admins())
    client.force_login(admin)
    assert client.get(f"/admin/pages/{work['b_draft'].pk}/edit/").status_code == 200
    assert B_DRAFT in client.get(f"/admin/pages/{work['b_draft'].get_parent().pk}/").text
    assert B_VIDEO in client.get("/admin/media/").text


@pytest.mark.django_db
def test_an_editor_chooses_and_adds_lecturers_from_the_shared_pool_but_edits_no_center(as_editor_a, centers):
    factories.ExpertFactory(name="王老师")
    assert "王老师" in as_editor_a.get("/admin/snippets/choose/resources/expert/").json()["html"]
    assert as_editor_a.get("/admin/snippets/resources/expert/add/").status_code == 200
    a, _b = centers
    assert as_editor_a.get(f"/admin/snippets/resources/trainingcenter/edit/{a.pk}/").status_code in (302, 403)


@pytest.mark.django_db
def test_course_pages_created_by_editors_are_theirs(as_editor_a, centers, people):
    a, _b = centers
    url = f"/admin/pages/add/microcourses/microcoursepage/{a.section.pk}/"
    response = as_editor_a.post(url, edit_data(MicroCoursePage(title="学业预警与帮扶", slug="xueye", summary="")))
    assert response.status_code == 302
    page = MicroCoursePage.objects.get(slug="xueye")
    assert page.owner == people["editor_a"] and not page.live and page.center == a
