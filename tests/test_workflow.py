"""Review: an editor submits, the center's own reviewers approve (which publishes) or send it back
with a comment, the editor hears of it by e-mail, and nobody publishes their own work unreviewed."""

import pytest

from django.core import mail
from django.test import Client

from wagtail.models import TaskState, WorkflowState

from editorial import roles
from editorial.models import AUTHOR_CANNOT_APPROVE

from .test_permissions import centers, draft_course, edit_data, member, people  # noqa: F401


@pytest.fixture
def course(centers):  # noqa: F811
    a, _b = centers
    return draft_course(a, "辅导员谈心谈话的五个步骤", "tanxin")


def login(user):
    """A browser of its own per person: no messages left over from someone else's session."""
    client = Client()
    client.force_login(user)
    return client


def submit(client, page):
    return client.post(f"/admin/pages/{page.pk}/edit/", edit_data(page, **{"action-submit": "submit"}))


def act(client, page, action, comment=""):
    state = TaskState.objects.get(workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS)
    return client.post(
        f"/admin/pages/workflow/action/{page.pk}/{action}/{state.pk}/", {"comment": comment} if comment else {}
    )


@pytest.mark.django_db
def test_editor_submits_and_only_the_centers_reviewers_are_told(client, course, people):  # noqa: F811
    client = login(people["editor_a"])
    mail.outbox.clear()
    response = submit(client, course)
    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=str(course.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS and state.requested_by == people["editor_a"]
    course.refresh_from_db()
    assert not course.live
    told = {address for message in mail.outbox for address in message.to}
    assert "reviewer_a@example.edu.cn" in told
    assert "reviewer_b@example.edu.cn" not in told and "editor_a@example.edu.cn" not in told


@pytest.mark.django_db
def test_another_centers_reviewer_cannot_approve(client, course, people):  # noqa: F811
    client = login(people["editor_a"])
    submit(client, course)
    client = login(people["reviewer_b"])
    response = act(client, course, "approve")
    assert response.status_code in (302, 403)
    course.refresh_from_db()
    assert not course.live
    # Nor is it in their list of work to review.
    assert "辅导员谈心谈话的五个步骤" not in client.get("/admin/").text


@pytest.mark.django_db
def test_the_centers_reviewer_approves_which_publishes_and_tells_the_editor(client, course, people):  # noqa: F811
    client = login(people["editor_a"])
    submit(client, course)
    client = login(people["reviewer_a"])
    assert "辅导员谈心谈话的五个步骤" in client.get("/admin/").text  # awaiting their review
    mail.outbox.clear()
    response = act(client, course, "approve")
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.live
    assert WorkflowState.objects.get(object_id=str(course.pk)).status == WorkflowState.STATUS_APPROVED
    to_editor = [m for m in mail.outbox if "editor_a@example.edu.cn" in m.to]
    assert to_editor, [m.to for m in mail.outbox]


@pytest.mark.django_db
def test_request_changes_with_a_comment_reaches_the_editor(client, course, people):  # noqa: F811
    client = login(people["editor_a"])
    submit(client, course)
    client = login(people["reviewer_a"])
    mail.outbox.clear()
    act(client, course, "reject", comment="请补充案例分析部分")
    course.refresh_from_db()
    assert not course.live
    assert WorkflowState.objects.get(object_id=str(course.pk)).status == WorkflowState.STATUS_NEEDS_CHANGES
    to_editor = [m for m in mail.outbox if "editor_a@example.edu.cn" in m.to]
    assert to_editor and "请补充案例分析部分" in to_editor[0].body


@pytest.mark.django_db
def test_a_reviewer_cannot_approve_own_submission_nor_publish_directly(client, course, people):  # noqa: F811
    client = login(people["reviewer_a"])
    client.post(f"/admin/pages/{course.pk}/edit/", edit_data(course, **{"action-publish": "publish"}))
    course.refresh_from_db()
    assert not course.live

    submit(client, course)
    response = act(client, course, "approve")
    assert response.status_code in (302, 403)
    course.refresh_from_db()
    assert not course.live
    # A second reviewer of the same center may.
    other = member(type(people["reviewer_a"]), "reviewer_a2", course.center.reviewers_group)
    client = login(other)
    act(client, course, "approve")
    course.refresh_from_db()
    assert course.live


@pytest.mark.django_db
def test_platform_pages_outside_centers_are_reviewed_by_platform_admins(client, tree, people, django_user_model):  # noqa: F811
    from . import factories

    notice = factories.PolicyDocumentPageFactory(parent=tree["notices"], title="关于报送年度工作计划的通知")
    task = notice.get_workflow().tasks.first().specific
    admin = member(django_user_model, "platform", roles.ensure_platform_admins())
    assert task.can_review(notice, admin)
    assert not task.can_review(notice, people["reviewer_a"])


# -- four eyes: a reviewer who changes the text in review needs another reviewer ------------------


def edit(client, page, **fields):
    """Save a draft in the page editor, as a reviewer correcting the text in review does."""
    return client.post(f"/admin/pages/{page.pk}/edit/", edit_data(page, **fields))


def offered_actions(client, page):
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    return {name for name in ("approve", "reject") if f'data-workflow-action-name="{name}"' in html}, html


@pytest.mark.django_db
def test_a_reviewer_who_changed_the_text_in_review_cannot_approve_it(course, people):  # noqa: F811
    submit(login(people["editor_a"]), course)
    r1 = login(people["reviewer_a"])
    assert offered_actions(r1, course)[0] == {"approve", "reject"}  # before the change (so this can fail)

    assert edit(r1, course, summary="审核员改写的导语").status_code == 302
    course.refresh_from_db()
    assert course.get_latest_revision().user == people["reviewer_a"]
    actions, html = offered_actions(r1, course)
    assert actions == {"reject"}  # they may still send it back
    assert AUTHOR_CANNOT_APPROVE in html

    # A forged POST to the workflow action URL, and an approval posted with the edit form.
    assert act(r1, course, "approve").status_code in (302, 403)
    edit(r1, course, **{"action-workflow-action": "true", "workflow-action-name": "approve"})
    course.refresh_from_db()
    assert not course.live
    state = WorkflowState.objects.get(object_id=str(course.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    # Another reviewer of the center approves R1's words, which go live.
    r2 = login(member(type(people["reviewer_a"]), "reviewer_a2", course.center.reviewers_group))
    assert offered_actions(r2, course)[0] == {"approve", "reject"}
    assert act(r2, course, "approve").status_code == 302
    course.refresh_from_db()
    assert course.live and course.specific.summary == "审核员改写的导语"


@pytest.mark.django_db
def test_changing_the_text_and_approving_in_one_go_keeps_the_text_and_waits_for_another_reviewer(
    course,
    people,  # noqa: F811
):
    submit(login(people["editor_a"]), course)
    r1 = login(people["reviewer_a"])
    edit(r1, course, summary="改完直接通过", **{"action-workflow-action": "true", "workflow-action-name": "approve"})
    course.refresh_from_db()
    assert not course.live
    latest = course.get_latest_revision()
    assert latest.user == people["reviewer_a"] and latest.as_object().summary == "改完直接通过"
    assert WorkflowState.objects.get(object_id=str(course.pk)).status == WorkflowState.STATUS_IN_PROGRESS


@pytest.mark.django_db
def test_a_reviewer_who_changed_one_page_still_approves_another(centers, course, people):  # noqa: F811
    a, _b = centers
    other = draft_course(a, "学生心理危机的识别与干预", "weiji")
    editor = login(people["editor_a"])
    submit(editor, course)
    submit(editor, other)
    r1 = login(people["reviewer_a"])
    edit(r1, course, summary="审核员改写的导语")
    assert offered_actions(r1, other)[0] == {"approve", "reject"}
    assert act(r1, other, "approve").status_code == 302
    other.refresh_from_db()
    assert other.live


@pytest.mark.django_db
def test_platform_admins_follow_four_eyes_but_superusers_keep_their_override(course, people, django_user_model):  # noqa: F811
    submit(login(people["editor_a"]), course)
    admin = login(member(django_user_model, "platform", roles.ensure_platform_admins()))
    edit(admin, course, summary="平台管理员改写")
    assert offered_actions(admin, course)[0] == {"reject"}
    superuser = login(django_user_model.objects.create_superuser("root", "root@example.edu.cn", "pw"))
    edit(superuser, course, summary="超级管理员改写")
    assert "approve" in offered_actions(superuser, course)[0]
