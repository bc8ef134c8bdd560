"""The annual work plan: filled in and submitted by May 10; after that an editor's change waits for
the center's reviewers, who approve or send it back."""

import re

import pytest

from django.core import mail
from django.test import Client

from wagtail.models import ModelLogEntry

from editorial.models import PlanChangeRequest, PlanItem, WorkPlan
from resources.models import CapabilityArea

from .test_permissions import centers, edit_data, people  # noqa: F401

OPEN_YEAR = 2099  # May 10 still ahead
CLOSED_YEAR = 2025  # May 10 passed


def login(user):
    client = Client()
    client.force_login(user)
    return client


def rows(*titles, existing=()):
    """POST data of the plan form: the existing items (id, title) and new titles."""
    data = {}
    items = [(pk, title) for pk, title in existing] + [(None, title) for title in titles]
    for i, (pk, title) in enumerate(items):
        data[f"form-{i}-id"] = pk or ""
        data[f"form-{i}-title"] = title
        data[f"form-{i}-capability"] = CapabilityArea.objects.get(code="mental_health").pk if i == 0 else ""
        data[f"form-{i}-target_date"] = "2099-06-01" if i == 0 else ""
    data.update(
        {
            "form-TOTAL_FORMS": str(len(items)),
            "form-INITIAL_FORMS": str(len(existing)),
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
        }
    )
    return data


def submitted_plan(center, year, *titles):
    plan = WorkPlan.objects.create(center=center, year=year, status=WorkPlan.Status.SUBMITTED)
    for order, title in enumerate(titles):
        PlanItem.objects.create(plan=plan, title=title, sort_order=order)
    return plan


@pytest.mark.django_db
def test_an_editor_fills_in_and_submits_the_plan_before_the_deadline(centers, people):  # noqa: F811
    a, _b = centers
    client = login(people["editor_a"])
    url = f"/admin/workplans/{a.code}/{OPEN_YEAR}/"
    assert "填写" in client.get(f"/admin/workplans/?year={OPEN_YEAR}").text
    response = client.post(url, {**rows("新入职辅导员谈心谈话实务", "网络舆情应对"), "submit": "1"})
    assert response.status_code == 302
    plan = WorkPlan.objects.get(center=a, year=OPEN_YEAR)
    assert plan.is_submitted and plan.submitted_by == people["editor_a"]
    assert [i.title for i in plan.items.all()] == ["新入职辅导员谈心谈话实务", "网络舆情应对"]
    assert plan.items.first().capability.code == "mental_health"
    assert ModelLogEntry.objects.filter(action="editorial.plan.submit", user=people["editor_a"]).exists()
    # Still before May 10: a later edit applies at once.
    first = plan.items.first()
    client.post(url, {**rows(existing=[(first.pk, "新入职辅导员谈心谈话实务（修订）")]), "save": "1"})
    assert [i.title for i in plan.items.all()] == ["新入职辅导员谈心谈话实务（修订）"]
    assert plan.items.get().pk == first.pk  # the same row: courses linked to it stay linked


@pytest.mark.django_db
def test_after_the_deadline_an_editors_change_waits_for_the_centers_reviewer(
    centers,  # noqa: F811
    people,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    a, _b = centers
    plan = submitted_plan(a, CLOSED_YEAR, "学业预警与帮扶")
    item = plan.items.get()
    client = login(people["editor_a"])
    url = f"/admin/workplans/{a.code}/{CLOSED_YEAR}/"
    assert "变更申请" in client.get(url).text

    # Without a reason the change is refused, and nothing changes.
    client.post(url, {**rows("心理危机识别", existing=[(item.pk, "学业预警与帮扶")]), "submit": "1"})
    assert not PlanChangeRequest.objects.exists()

    mail.outbox.clear()
    data = {**rows("心理危机识别", existing=[(item.pk, "学业预警与帮扶")]), "submit": "1", "reason": "增加一门课"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    change = PlanChangeRequest.objects.get()
    assert change.status == "pending"
    assert [i.title for i in plan.items.all()] == ["学业预警与帮扶"]  # the plan in force is unchanged
    assert {a for m in mail.outbox for a in m.to} == {"reviewer_a@example.edu.cn"}

    # Another center's reviewer may not decide; the center's own may.
    other = login(people["reviewer_b"])
    assert other.post(f"/admin/workplans/changes/{change.pk}/", {"approve": "1"}).status_code in (302, 403)
    change.refresh_from_db()
    assert change.status == "pending"

    reviewer = login(people["reviewer_a"])
    page = reviewer.get(f"/admin/workplans/changes/{change.pk}/").text
    assert "新增" in page and "心理危机识别" in page and "批准变更" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(f"/admin/workplans/changes/{change.pk}/", {"approve": "1", "comment": "同意"})
    change.refresh_from_db()
    assert change.status == "approved" and change.decided_by == people["reviewer_a"]
    assert [i.title for i in plan.items.all()] == ["学业预警与帮扶", "心理危机识别"]
    assert plan.items.filter(pk=item.pk).exists()
    assert [m.to for m in mail.outbox] == [["editor_a@example.edu.cn"]]
    assert ModelLogEntry.objects.filter(action="editorial.plan.change_approved", user=people["reviewer_a"]).exists()


@pytest.mark.django_db
def test_a_rejected_change_leaves_the_plan_and_tells_the_editor_why(
    centers,  # noqa: F811
    people,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    a, _b = centers
    plan = submitted_plan(a, CLOSED_YEAR, "学业预警与帮扶")
    client = login(people["editor_a"])
    client.post(f"/admin/workplans/{a.code}/{CLOSED_YEAR}/", {**rows("删掉原有课程"), "submit": "1", "reason": "调整"})
    change = PlanChangeRequest.objects.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        login(people["reviewer_a"]).post(
            f"/admin/workplans/changes/{change.pk}/", {"reject": "1", "comment": "请保留原计划课程"}
        )
    change.refresh_from_db()
    assert change.status == "rejected"
    assert [i.title for i in plan.items.all()] == ["学业预警与帮扶"]
    assert "请保留原计划课程" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_reviewer_cannot_approve_own_change_request(centers, people):  # noqa: F811
    from editorial import plans

    a, _b = centers
    plan = submitted_plan(a, CLOSED_YEAR, "学业预警与帮扶")
    change = PlanChangeRequest.objects.create(plan=plan, items=[], reason="x", requested_by=people["reviewer_a"])
    with pytest.raises(plans.PlanError):
        plans.decide(change, people["reviewer_a"], approve=True)


@pytest.mark.django_db
def test_other_centers_plans_are_closed(centers, people):  # noqa: F811
    a, b = centers
    submitted_plan(a, OPEN_YEAR, "甲中心的计划课程")
    client = login(people["editor_b"])
    response = client.get(f"/admin/workplans/{a.code}/{OPEN_YEAR}/")
    assert response.status_code in (302, 403)
    assert "甲中心的计划课程" not in response.text
    listing = client.get(f"/admin/workplans/?year={OPEN_YEAR}").text
    assert b.name in listing and a.name not in listing
    client.post(f"/admin/workplans/{a.code}/{OPEN_YEAR}/", {**rows("乙中心改甲中心"), "save": "1"})
    assert not PlanItem.objects.filter(title="乙中心改甲中心").exists()


@pytest.mark.django_db
def test_a_course_links_only_to_its_own_centers_plan_items(centers, people):  # noqa: F811
    a, b = centers
    own = submitted_plan(a, OPEN_YEAR, "甲中心的计划课程").items.get()
    foreign = submitted_plan(b, OPEN_YEAR, "乙中心的计划课程").items.get()
    client = login(people["editor_a"])
    form = client.get(f"/admin/pages/add/microcourses/microcoursepage/{a.section.pk}/").context["form"]
    assert list(form.fields["plan_item"].queryset) == [own]
    url = f"/admin/pages/add/microcourses/microcoursepage/{a.section.pk}/"
    from microcourses.models import MicroCoursePage

    data = edit_data(MicroCoursePage(title="谈心谈话", slug="tanxin", summary=""), plan_item=str(foreign.pk))
    client.post(url, data)
    assert not MicroCoursePage.objects.filter(plan_item=foreign).exists()
    client.post(url, {**data, "plan_item": str(own.pk)})
    assert MicroCoursePage.objects.get(slug="tanxin").plan_item == own


@pytest.mark.django_db
def test_a_year_out_of_range_is_not_a_server_error(centers, people):  # noqa: F811
    a, _b = centers
    client = login(people["editor_a"])
    assert client.get(f"/admin/workplans/{a.code}/99999/").status_code == 404
    assert client.get(f"/admin/workplans/{a.code}/1999/").status_code == 404
    listing = client.get("/admin/workplans/?year=99999")
    assert listing.status_code == 200 and a.name in listing.text


def row_count(response):
    return len(set(re.findall(r'name="form-(\d+)-title"', response.text)))


@pytest.mark.django_db
def test_a_new_plan_has_room_for_a_centers_year_and_a_plan_in_progress_three_blank_rows(centers, people):  # noqa: F811
    a, _b = centers
    client = login(people["editor_a"])
    url = f"/admin/workplans/{a.code}/{OPEN_YEAR}/"
    assert row_count(client.get(url)) == 10
    submitted_plan(a, OPEN_YEAR, *[f"课程{n}" for n in range(9)])
    assert row_count(client.get(url)) == 12  # nine courses and three blank rows


@pytest.mark.django_db
def test_add_a_row_without_javascript_keeps_what_was_typed_and_saves_nothing(centers, people):  # noqa: F811
    a, _b = centers
    client = login(people["editor_a"])
    url = f"/admin/workplans/{a.code}/{OPEN_YEAR}/"
    response = client.post(url, {**rows("新入职辅导员谈心谈话实务", "网络舆情应对"), "add_row": "1"})
    assert response.status_code == 200
    assert row_count(response) == 3
    assert 'value="新入职辅导员谈心谈话实务"' in response.text and 'value="网络舆情应对"' in response.text
    assert not WorkPlan.objects.filter(center=a, year=OPEN_YEAR).exists()
    # Saving then keeps both courses; the blank row is dropped.
    data = {**rows("新入职辅导员谈心谈话实务", "网络舆情应对", ""), "save": "1"}
    assert client.post(url, data).status_code == 302
    assert [i.title for i in WorkPlan.objects.get(center=a, year=OPEN_YEAR).items.all()] == [
        "新入职辅导员谈心谈话实务",
        "网络舆情应对",
    ]


@pytest.mark.django_db
def test_adding_rows_is_bounded(centers, people):  # noqa: F811
    from editorial.forms import MAX_ROWS

    a, _b = centers
    client = login(people["editor_a"])
    url = f"/admin/workplans/{a.code}/{OPEN_YEAR}/"
    data = {**rows("课程"), "add_row": "1", "form-TOTAL_FORMS": str(MAX_ROWS)}
    response = client.post(url, data)
    assert row_count(response) == MAX_ROWS and 'name="add_row"' not in response.text
    data["form-TOTAL_FORMS"] = "不是数字"
    assert client.post(url, data).status_code == 200
