"""An empty micro-course (no lecturer, video, text or hours) can be saved as a draft but neither
submitted for review nor published: each missing part is named in Chinese beside its field."""

import pytest

from django.test import Client

from wagtail.models import WorkflowState

from media.models import Video
from microcourses.models import MicroCoursePage

from . import factories
from .test_permissions import centers, draft_course, edit_data, people  # noqa: F401


@pytest.fixture
def empty_course(centers):  # noqa: F811
    a, _b = centers
    page = factories.MicroCoursePageFactory(
        parent=a.section, center=a, title="空白微课", slug="kongbai", lecturer=None, learning_hours=None, summary=""
    )
    page.live = False
    page.save()
    page.save_revision()
    return page


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, page, **extra):
    return client.post(f"/admin/pages/{page.pk}/edit/", edit_data(page, **extra))


@pytest.mark.django_db
def test_an_empty_course_is_kept_as_a_draft_but_not_submitted(empty_course, people):  # noqa: F811
    editor = signed_in(people["editor_a"])
    assert post(editor, empty_course, summary="先存一下").status_code == 302  # a draft may be incomplete

    response = post(editor, empty_course, summary="", **{"action-submit": "submit"})
    assert response.status_code == 200
    html = response.content.decode()
    for message in (
        "发布前请选择主讲人",
        "发布前请选择或上传课程视频",
        "发布前请填写学时",
        "发布前请至少选择一个能力方向",
    ):
        assert message in html
    assert "发布前请填写摘要或正文" in html
    assert not WorkflowState.objects.filter(object_id=str(empty_course.pk)).exists()


@pytest.mark.django_db
def test_an_administrator_cannot_publish_an_empty_course_either(empty_course, admin_user):
    response = post(signed_in(admin_user), empty_course, **{"action-publish": "publish"})
    assert response.status_code == 200 and "发布前请选择主讲人" in response.content.decode()
    assert not MicroCoursePage.objects.get(pk=empty_course.pk).live


@pytest.mark.django_db
def test_zero_hours_and_a_failed_video_are_refused(centers, admin_user):  # noqa: F811
    a, _b = centers
    course = draft_course(a, "转码失败的课", "failed-video")
    Video.objects.filter(pk=course.video_id).update(status=Video.Status.FAILED)
    response = post(signed_in(admin_user), course, learning_hours="0", **{"action-publish": "publish"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "发布前请填写学时（大于 0）" in html and "这个视频转码失败" in html
    assert not MicroCoursePage.objects.get(pk=course.pk).live


@pytest.mark.django_db
def test_a_complete_course_is_submitted_and_published(centers, people, admin_user):  # noqa: F811
    a, _b = centers
    course = draft_course(a, "完整的微课", "wanzheng")
    assert post(signed_in(people["editor_a"]), course, **{"action-submit": "submit"}).status_code == 302
    assert WorkflowState.objects.filter(object_id=str(course.pk), status="in_progress").exists()
    other = draft_course(a, "管理员直接发布的课", "zhijie")
    assert post(signed_in(admin_user), other, **{"action-publish": "publish"}).status_code == 302
    assert MicroCoursePage.objects.get(pk=other.pk).live
