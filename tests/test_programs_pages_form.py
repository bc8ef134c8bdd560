"""The program's admin form (programs/forms.py, docs/programs-pages.md): a center's editors add programs in
their own section, the center comes from the section, each inconsistent value is refused with a Chinese
message beside it, a draft may be incomplete but not published, linked courses must be live and the
editor's own, and the preview shows the schedule being edited."""

import datetime

import pytest

from django.test import Client
from django.utils import timezone

from programs.models import ProgramPage

from . import factories

TODAY = timezone.localdate


# -- the admin form ----------------------------------------------------------------------------------


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(**extra):
    """What the admin's add form posts for a complete program with one session."""
    today = TODAY()
    starts = today + datetime.timedelta(days=20)
    data = {
        "title": "新的示范培训班",
        "slug": "",
        "summary": "简介",
        "body-count": "0",
        "format": "offline",
        "place": "北京师范大学",
        "capacity": "30",
        "hours": "16",
        "min_attendance_percent": "80",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + datetime.timedelta(days=2)).isoformat(),
        "enrol_opens": f"{today.isoformat()} 09:00",
        "enrol_closes": f"{(today + datetime.timedelta(days=10)).isoformat()} 18:00",
        "survey_closes": "",
        "provinces": ["北京"],
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        "sessions-0-starts_at": f"{starts.isoformat()} 09:00",
        "sessions-0-ends_at": f"{starts.isoformat()} 11:00",
        "sessions-0-topic": "第一讲",
        "sessions-0-place": "",
        "sessions-0-ORDER": "1",
        "sessions-0-DELETE": "",
        "sessions-0-id": "",
    }
    data.update(extra)
    return data


def add_url(section):
    return f"/admin/pages/add/programs/programpage/{section.pk}/"


@pytest.fixture
def editor(section, django_user_model):
    user = django_user_model.objects.create_user("editor_bnu", password="x")
    user.groups.add(section.center.editors_group)
    return user


def capability_pk(code="mental_health"):
    from resources.models import CapabilityArea

    return str(CapabilityArea.objects.get(code=code).pk)


@pytest.mark.django_db
def test_the_add_form_offers_the_programs_fields(section, editor):
    html = signed_in(editor).get(add_url(section)).content.decode()
    for label in ("开班日期", "报名截止", "限报省份", "结业所需出勤比例", "课程安排", "课前微课", "主讲人"):
        assert label in html, label
    assert 'value="北京"' in html and 'type="checkbox"' in html


@pytest.mark.django_db
def test_an_editor_publishes_a_complete_program_of_their_center(section, admin_user):
    client = signed_in(admin_user)
    response = client.post(add_url(section), form_data(capabilities=[capability_pk()], **{"action-publish": "1"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    program = ProgramPage.objects.get(title="新的示范培训班")
    assert program.live and program.center == section.center  # the center comes from the section
    assert program.provinces == ["北京"]
    assert [s.topic for s in program.sessions.all()] == ["第一讲"]


@pytest.mark.django_db
def test_a_center_editor_may_add_a_program_in_their_section(section, editor):
    response = signed_in(editor).post(add_url(section), form_data(capabilities=[capability_pk()]))
    assert response.status_code == 302
    assert ProgramPage.objects.get(title="新的示范培训班").center == section.center


@pytest.mark.django_db
def test_a_draft_may_be_incomplete_but_not_published(section, admin_user):
    client = signed_in(admin_user)
    empty = {
        "starts_on": "",
        "ends_on": "",
        "enrol_opens": "",
        "enrol_closes": "",
        "sessions-TOTAL_FORMS": "0",
    }
    response = client.post(add_url(section), form_data(**empty))
    assert response.status_code == 302  # a draft
    response = client.post(add_url(section), form_data(title="要发布的", **empty, **{"action-publish": "1"}))
    assert response.status_code == 200
    html = response.content.decode()
    for message in (
        "发布前请填写开班日期",
        "发布前请填写结业日期",
        "发布前请填写报名开始时间",
        "发布前请填写报名截止时间",
        "发布前请至少选择一个能力方向",
        "发布前请至少添加一项课程安排",
    ):
        assert message in html, message
    assert not ProgramPage.objects.filter(title="要发布的").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, message",
    [
        ({"ends_on": (TODAY() + datetime.timedelta(days=1)).isoformat()}, "结业日期不能早于开班日期"),
        ({"enrol_closes": f"{TODAY().isoformat()} 08:00"}, "报名截止时间应晚于报名开始时间"),
        (
            {"enrol_closes": f"{(TODAY() + datetime.timedelta(days=40)).isoformat()} 08:00"},
            "报名截止时间不能晚于项目的结业日期",
        ),
        ({"capacity": "100001"}, "招收名额最多"),
        ({"capacity": "0"}, "招收名额至少为 1 人"),
        ({"provinces": ["火星"]}, "“火星”不是可选的省份"),
        (
            {"sessions-0-ends_at": f"{(TODAY() + datetime.timedelta(days=20)).isoformat()} 08:00"},
            "结束时间应晚于开始时间",
        ),
        ({"sessions-0-starts_at": f"{TODAY().isoformat()} 08:00"}, "课程安排应在开班日期和结业日期之间"),
    ],
)
def test_the_form_refuses_inconsistent_programs(section, admin_user, change, message):
    response = signed_in(admin_user).post(add_url(section), form_data(capabilities=[capability_pk()], **change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgramPage.objects.exists()


@pytest.mark.django_db
def test_the_number_of_sessions_is_bounded(section, admin_user, settings):
    settings.PROGRAMS_MAX_SESSIONS = 2
    data = form_data(capabilities=[capability_pk()])
    starts = data["sessions-0-starts_at"]
    for n in (1, 2):
        data.update(
            {
                f"sessions-{n}-starts_at": starts,
                f"sessions-{n}-ends_at": data["sessions-0-ends_at"],
                f"sessions-{n}-topic": f"第{n}讲",
                f"sessions-{n}-ORDER": str(n + 1),
                f"sessions-{n}-DELETE": "",
                f"sessions-{n}-id": "",
            }
        )
    data["sessions-TOTAL_FORMS"] = "3"
    response = signed_in(admin_user).post(add_url(section), data)
    assert response.status_code == 200
    assert "课程安排最多 2 项" in response.content.decode()


@pytest.mark.django_db
def test_linked_courses_must_be_live_and_the_editors_own(section, editor, make_course):
    draft = make_course(title="草稿微课")
    draft.live = False
    draft.save()
    other = factories.TrainingCenterFactory(code="sdu", name="山东大学中心")
    foreign_draft = factories.MicroCoursePageFactory(parent=other.section, center=other, title="别人的草稿")
    foreign_draft.live = False
    foreign_draft.save()
    live = make_course(title="已发布微课")
    client = signed_in(editor)

    response = client.post(add_url(section), form_data(**{"sessions-0-course_before": str(draft.pk)}))
    assert response.status_code == 200 and "请选择已发布的微课" in response.content.decode()
    response = client.post(add_url(section), form_data(**{"sessions-0-course_after": str(foreign_draft.pk)}))
    assert response.status_code == 200 and "别人的草稿" not in response.content.decode()
    assert not ProgramPage.objects.exists()
    response = client.post(add_url(section), form_data(**{"sessions-0-course_before": str(live.pk)}))
    assert response.status_code == 302
    assert ProgramPage.objects.get().sessions.get().course_before_id == live.pk


@pytest.mark.django_db
def test_another_centers_editor_cannot_add_a_program_here(section, django_user_model):
    other = factories.TrainingCenterFactory(code="sdu", name="山东大学中心")
    stranger = django_user_model.objects.create_user("editor_sdu", password="x")
    stranger.groups.add(other.editors_group)
    response = signed_in(stranger).post(add_url(section), form_data())
    assert response.status_code in (302, 403)
    assert not ProgramPage.objects.exists()


@pytest.mark.django_db
def test_the_preview_shows_the_schedule_being_edited(section, editor, make_course):
    live = make_course(title="已发布微课")
    client = signed_in(editor)
    url = add_url(section) + "preview/"
    data = form_data(capabilities=[capability_pk()], **{"sessions-0-course_before": str(live.pk)})
    assert client.post(url, data).json()["is_valid"] is True
    html = client.get(url).content.decode()
    assert "第一讲" in html and "已发布微课" in html and "北京师范大学" in html
