"""The Wagtail admin: Chinese, and a resource created in a center's section belongs to that center."""

import pytest

from microcourses.models import MicroCoursePage

from .test_permissions import edit_data


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "", "pw"))
    return client


@pytest.mark.django_db
def test_admin_speaks_chinese(client, admin_client):
    assert "控制面板" in admin_client.get("/admin/").text
    # The taxonomies are snippets with Chinese labels and stable codes.
    html = admin_client.get("/admin/snippets/resources/capabilityarea/").text
    assert "能力方向" in html and "心理健康教育" in html and "mental_health" in html


@pytest.mark.django_db
def test_a_course_added_in_a_section_takes_the_sections_center(admin_client, section):
    url = f"/admin/pages/add/microcourses/microcoursepage/{section.pk}/"
    form = admin_client.get(url).context["form"]
    assert form.fields["center"].disabled and form.initial["center"] == section.center.pk

    # A tampered form cannot move the course to another center.
    data = edit_data(MicroCoursePage(title="谈心谈话的技巧", slug="tanxin-tanhua", summary=""), center="")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert MicroCoursePage.objects.get(slug="tanxin-tanhua").center == section.center


@pytest.mark.django_db
def test_a_center_code_that_is_taken_in_the_library_is_refused(admin_client, tree, center):
    from . import factories

    factories.MicroCoursePageFactory(parent=tree["library"], slug="pku")
    response = admin_client.post(
        "/admin/snippets/resources/trainingcenter/add/", {"code": "pku", "name": "北京大学中心"}
    )
    assert response.status_code == 200  # the form again, with the error, instead of a server error
    assert "已被资源库中的其他页面使用" in response.text
    # Saving its own, unchanged code is fine.
    center.full_clean()


@pytest.mark.django_db
def test_copying_an_expert_makes_a_new_one_and_never_rewrites_the_original(client, people):
    """A center's editors may add lecturers to the shared pool, not change other centers' (Wagtail 8.0's
    copy view used to save over the source)."""
    from resources.models import Expert

    from . import factories

    original = factories.ExpertFactory(name="王老师", bio="全国示范培训主讲")
    client.force_login(people["editor_a"])
    data = {"name": "王老师（复制）", "title": "", "organisation": "", "level": "school", "bio": "改写", "photo": ""}
    response = client.post(f"/admin/snippets/resources/expert/copy/{original.pk}/", data)
    assert response.status_code == 302
    original.refresh_from_db()
    assert (original.name, original.bio) == ("王老师", "全国示范培训主讲")
    assert Expert.objects.get(name="王老师（复制）").bio == "改写"
