"""Enrolment (组织报名) and 学员管理: applying on the program page, seats and the waiting list, e-mails,
the counselor's own state (program page, learning record), and the admin's list, decisions and
export, center-scoped (docs/programs-enrolment.md). Concurrency: tests/test_programs_concurrency.py."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programs import enrolment as service
from programs.models import Enrolment

from . import factories

pytestmark = pytest.mark.django_db

PENDING, APPROVED, WAITING = Enrolment.PENDING, Enrolment.APPROVED, Enrolment.WAITING
DECLINED, CANCELLED = Enrolment.DECLINED, Enrolment.CANCELLED


@pytest.fixture
def program(centers):
    a, _b = centers
    return factories.ProgramPageFactory(parent=a.section, center=a, capacity=2, title="辅导员心理危机干预示范培训班")


def counselor(username, **profile):
    fields = {f"profile__{key}": value for key, value in profile.items()}
    return factories.CounselorFactory(username=username, profile__name=f"{username}老师", **fields)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def apply(client, program, **data):
    form = {"name": "张老师", "school": "北京师范大学", "phone": "", "email": "", "note": "", **data}
    return client.post(f"/programs/{program.pk}/enrolment/", form)


def status_of(program, user):
    return Enrolment.objects.get(program=program, user=user).status


def page_html(client, program):
    return client.get(program.url).content.decode()


def messages_of(response):
    """The messages this request added (those still waiting from earlier requests are not its own)."""
    return [str(message) for message in response.wsgi_request._messages._queued_messages]


# -- the flow ---------------------------------------------------------------------------------------


def test_two_get_seats_the_third_waits_and_gets_the_seat_when_one_cancels(
    program, people, django_capture_on_commit_callbacks
):
    users = [counselor(name) for name in ("li", "wang", "zhao")]
    clients = [signed_in(user) for user in users]
    for client in clients:
        response = apply(client, program)
        assert response.status_code == 302 and response["Location"].endswith("#enrolment")
    assert [status_of(program, user) for user in users] == [PENDING, PENDING, WAITING]
    assert "候补第 1 位" in page_html(clients[2], program)
    assert "待审核" in page_html(clients[0], program)

    # Staff admit the first: an e-mail tells them.
    admin = signed_in(people["editor_a"])
    first = Enrolment.objects.get(program=program, user=users[0])
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves once the decision commits
        response = admin.post(
            f"/admin/programs/enrolment/{program.pk}/action/", {"action": "approve", "enrolment": first.pk}
        )
    assert response.status_code == 302
    assert status_of(program, users[0]) == APPROVED
    assert [message.to for message in mail.outbox] == [["li@example.edu.cn"]]
    assert "已录取" in mail.outbox[0].subject and program.title in mail.outbox[0].body
    assert "已录取" in page_html(clients[0], program)

    # The second cancels: the third gets the seat (pending, staff still approve) and an e-mail.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = clients[1].post(f"/programs/{program.pk}/enrolment/cancel/")
    assert response.status_code == 302
    assert "已取消报名" in messages_of(response)[0]
    assert status_of(program, users[1]) == CANCELLED
    assert status_of(program, users[2]) == PENDING
    assert [message.to for message in mail.outbox] == [["zhao@example.edu.cn"]]
    assert "候补递补" in mail.outbox[0].subject
    assert "待审核" in mail.outbox[0].body and program.title in mail.outbox[0].body
    html = page_html(clients[2], program)
    assert 'data-status="pending"' in html and "候补第" not in html
    assert 'data-status="cancelled"' in page_html(clients[1], program)
    assert Enrolment.objects.filter(program=program, status__in=Enrolment.HOLDS_SEAT).count() == 2


def test_the_applicant_is_told_what_happened_and_the_form_is_filled_from_the_profile(program):
    user = counselor("sun", school="山东大学", phone="+8613812345678")
    client = signed_in(user)
    html = page_html(client, program)
    assert 'data-testid="enrolment-form"' in html
    assert 'value="sun老师"' in html and 'value="山东大学"' in html and 'value="138 1234 5678"' in html
    assert 'value="sun@example.edu.cn"' in html
    response = apply(client, program, name="孙老师", phone="138 1234 5678", email="sun@school.edu.cn", note="想交流")
    assert messages_of(response) == ["报名成功，请等待主办中心审核。审核结果会以邮件通知您。"]
    row = Enrolment.objects.get(program=program, user=user)
    assert (row.name, row.school, row.province, row.phone, row.email, row.note) == (
        "孙老师",
        "北京师范大学",
        "北京",
        "+8613812345678",
        "sun@school.edu.cn",
        "想交流",
    )
    # Applying twice changes nothing and says so.
    response = apply(client, program)
    assert messages_of(response) == [service.ALREADY]
    assert Enrolment.objects.filter(program=program).count() == 1


def test_a_visitor_is_asked_to_sign_in_and_nothing_is_stored(program):
    visitor = Client()
    html = page_html(visitor, program)
    assert "登录后报名" in html and f"/accounts/login/?next={program.url}" in html.replace("%2F", "/")
    response = apply(visitor, program)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Enrolment.objects.exists()


def test_reapplying_after_a_cancellation_reuses_the_row_and_goes_to_the_back(program):
    users = [counselor(name) for name in ("a1", "a2", "a3", "a4")]
    clients = [signed_in(user) for user in users]
    for client in clients:
        apply(client, program)
    first_row = Enrolment.objects.get(program=program, user=users[2])
    assert first_row.status == WAITING
    clients[2].post(f"/programs/{program.pk}/enrolment/cancel/")
    assert status_of(program, users[2]) == CANCELLED
    response = apply(clients[2], program)
    assert "候补名单" in messages_of(response)[0]
    again = Enrolment.objects.get(program=program, user=users[2])
    assert again.pk == first_row.pk and again.status == WAITING
    assert "候补第 2 位" in page_html(clients[2], program)  # behind a4, who was waiting after it
    assert "候补第 1 位" in page_html(clients[3], program)


def test_a_declined_applicant_gets_the_reason_and_cannot_apply_again(
    program, people, django_capture_on_commit_callbacks
):
    users = [counselor(name) for name in ("d1", "d2", "d3")]
    for user in users:
        apply(signed_in(user), program)
    admin = signed_in(people["reviewer_a"])
    target = Enrolment.objects.get(program=program, user=users[0])
    url = f"/admin/programs/enrolment/{program.pk}/action/"
    response = admin.post(url, {"action": "decline", "enrolment": target.pk, "reason": ""})
    assert "请填写未录取的原因" in messages_of(response)[0]
    assert status_of(program, users[0]) == PENDING
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url, {"action": "decline", "enrolment": target.pk, "reason": "名额优先新入职辅导员"})
    assert status_of(program, users[0]) == DECLINED
    assert status_of(program, users[2]) == PENDING  # the seat went to the waiting one
    assert sorted(m.to[0] for m in mail.outbox) == ["d1@example.edu.cn", "d3@example.edu.cn"]
    declined = next(m for m in mail.outbox if m.to == ["d1@example.edu.cn"])
    assert "未录取" in declined.subject and "名额优先新入职辅导员" in declined.body
    client = signed_in(users[0])
    html = page_html(client, program)
    assert "未录取" in html and "名额优先新入职辅导员" in html and 'data-testid="enrolment-form"' not in html
    assert messages_of(apply(client, program)) == [service.DECLINED_BEFORE]


def test_a_lower_capacity_takes_no_seat_and_gives_none_until_enough_are_free(
    program, django_capture_on_commit_callbacks
):
    users = [counselor(f"c{n}") for n in range(4)]
    program.capacity = 3
    program.save_revision().publish()
    for user in users[:3]:
        apply(signed_in(user), program)
    program.capacity = 1
    program.save_revision().publish()
    apply(signed_in(users[3]), program)
    assert [status_of(program, user) for user in users] == [PENDING, PENDING, PENDING, WAITING]
    signed_in(users[0]).post(f"/programs/{program.pk}/enrolment/cancel/")
    assert status_of(program, users[3]) == WAITING  # still 2 seats held of 1
    signed_in(users[1]).post(f"/programs/{program.pk}/enrolment/cancel/")
    signed_in(users[2]).post(f"/programs/{program.pk}/enrolment/cancel/")
    assert status_of(program, users[3]) == PENDING  # now one is free
    # A higher capacity, once published, gives the new seats to the waiting list in order.
    late = [counselor(f"late{n}") for n in range(2)]
    for user in late:
        apply(signed_in(user), program)
    assert [status_of(program, user) for user in late] == [WAITING, WAITING]
    program.capacity = 2
    with django_capture_on_commit_callbacks(execute=True):
        program.save_revision().publish()
    assert [status_of(program, user) for user in late] == [PENDING, WAITING]


def test_staff_move_applicants_in_the_waiting_list(program, people):
    users = [counselor(f"m{n}") for n in range(5)]
    for user in users:
        apply(signed_in(user), program)
    waiting = [Enrolment.objects.get(program=program, user=user) for user in users[2:]]
    assert [service.position_of(row) for row in waiting] == [1, 2, 3]
    admin = signed_in(people["editor_a"])
    url = f"/admin/programs/enrolment/{program.pk}/action/"
    admin.post(url, {"action": "up", "enrolment": waiting[2].pk})
    assert [service.position_of(row) for row in waiting] == [1, 3, 2]
    admin.post(url, {"action": "up", "enrolment": waiting[2].pk})
    admin.post(url, {"action": "up", "enrolment": waiting[2].pk})  # already first: unchanged
    assert [service.position_of(row) for row in waiting] == [2, 3, 1]
    admin.post(url, {"action": "down", "enrolment": waiting[0].pk})
    assert [service.position_of(row) for row in waiting] == [3, 2, 1]
    # A seat freed goes to the new first.
    signed_in(users[0]).post(f"/programs/{program.pk}/enrolment/cancel/")
    assert status_of(program, users[4]) == PENDING


# -- who may apply ----------------------------------------------------------------------------------


def test_applying_outside_the_window_is_refused_in_chinese(program):
    client = signed_in(counselor("early"))
    now = timezone.now()
    program.enrol_opens, program.enrol_closes = now + datetime.timedelta(days=1), now + datetime.timedelta(days=5)
    program.save_revision().publish()
    html = page_html(client, program)
    assert "报名尚未开始" in html and 'data-testid="enrolment-form"' not in html
    assert messages_of(apply(client, program)) == [service.NOT_OPEN]
    program.enrol_opens, program.enrol_closes = now - datetime.timedelta(days=5), now - datetime.timedelta(days=1)
    program.save_revision().publish()
    assert "报名已截止" in page_html(client, program)
    assert messages_of(apply(client, program)) == [service.NOT_OPEN]
    assert not Enrolment.objects.exists()


def test_a_program_limited_to_provinces_refuses_the_others(program):
    program.provinces = ["山东", "江苏"]
    program.save_revision().publish()
    beijing = signed_in(counselor("bj"))  # profile: 北京
    html = page_html(beijing, program)
    assert "仅接受山东、江苏的辅导员报名" in html and 'data-testid="enrolment-form"' not in html
    assert messages_of(apply(beijing, program)) == ["该项目仅接受以下省份的辅导员报名：山东、江苏。"]
    nowhere = signed_in(counselor("np", province=""))
    assert messages_of(apply(nowhere, program)) == [service.PROVINCE_REQUIRED]
    shandong = counselor("sd", province="山东")
    apply(signed_in(shandong), program)
    assert Enrolment.objects.get().user == shandong and Enrolment.objects.get().province == "山东"


def test_staff_without_a_counselor_profile_are_asked_to_complete_it(program, people):
    client = signed_in(people["editor_a"])
    assert "完善辅导员资料" in page_html(client, program)
    assert messages_of(apply(client, program)) == [service.NO_PROFILE]


@pytest.mark.parametrize("how", ["draft", "private", "not a program", "unknown", "huge"])
def test_a_draft_private_or_forged_program_cannot_be_applied_to(program, make_course, how):
    from wagtail.models import PageViewRestriction

    client = signed_in(counselor("forger"))
    target_id = program.pk
    if how == "draft":
        program.unpublish()
    elif how == "private":
        PageViewRestriction.objects.create(page=program, restriction_type="login")
    elif how == "not a program":
        target_id = make_course().pk
    elif how == "unknown":
        target_id = program.pk + 1000
    else:
        target_id = 2**70
    response = apply(client, program.__class__(pk=target_id))
    assert response.status_code == 404
    if how != "huge":  # past the databases' integers there is no such address (hub.ids): the site's 404
        assert "没有找到这个培训项目" in response.content.decode()
    assert client.post(f"/programs/{target_id}/enrolment/cancel/").status_code == 404
    assert not Enrolment.objects.exists()


def test_a_bad_form_keeps_what_was_typed(program):
    client = signed_in(counselor("long"))
    response = apply(client, program, note="很" * 501, phone="12345")
    from accounts.phone import INVALID

    assert messages_of(response) == [INVALID]
    html = page_html(client, program)
    assert 'value="12345"' in html and 'aria-invalid="true"' in html
    response = apply(client, program, note="很" * 501)
    assert messages_of(response) == ["报名说明最多 500 字（现在 501 字），请删减后再提交。"]
    assert not Enrolment.objects.exists()


def test_cancelling_is_possible_only_until_the_program_starts(program):
    user = counselor("starter")
    client = signed_in(user)
    apply(client, program)
    program.starts_on = timezone.localdate()
    program.save_revision().publish()
    html = page_html(client, program)
    assert 'data-testid="enrolment-cancel"' not in html and "项目已开班" in html
    response = client.post(f"/programs/{program.pk}/enrolment/cancel/")
    assert messages_of(response) == [service.TOO_LATE_TO_CANCEL]
    assert status_of(program, user) == PENDING


def test_the_waiting_list_is_bounded(program, settings):
    settings.PROGRAMS_MAX_WAITING = 1
    users = [counselor(f"w{n}") for n in range(4)]
    for user in users[:3]:
        apply(signed_in(user), program)
    response = apply(signed_in(users[3]), program)
    assert messages_of(response) == [service.WAITING_FULL]
    assert Enrolment.objects.count() == 3


# -- each sees their own ------------------------------------------------------------------------------


def test_the_learning_record_lists_the_counselors_own_programs_only(program, centers):
    _a, b = centers
    other = factories.ProgramPageFactory(parent=b.section, center=b, capacity=1, title="山东省辅导员骨干培训班")
    me, someone = counselor("me"), counselor("someone")
    apply(signed_in(someone), other)
    client = signed_in(me)
    apply(client, other)
    apply(client, program)
    html = client.get("/me/").content.decode()
    assert "我的培训项目" in html
    assert program.title in html and other.title in html
    assert "候补第 1 位" in html and "待审核" in html
    assert f'href="{program.url}#enrolment"' in html
    # The other counselor sees only theirs.
    theirs = signed_in(someone).get("/me/").content.decode()
    assert other.title in theirs and program.title not in theirs
    # A program taken offline stays in the record, without a link.
    program.unpublish()
    html = client.get("/me/").content.decode()
    assert "项目已下线" in html and f'href="{program.url}#enrolment"' not in html


def test_the_page_shows_nobody_elses_details(program):
    apply(signed_in(counselor("first", school="保密大学")), program, school="保密大学", note="私人说明")
    html = page_html(signed_in(counselor("second")), program)
    assert "保密大学" not in html and "私人说明" not in html and "first老师" not in html
    assert 'data-testid="seats-left">1<' in html


# -- 学员管理 in the admin ------------------------------------------------------------------------------


def admin_urls(program, enrolment_id):
    base = f"/admin/programs/enrolment/{program.pk}/"
    return base, base + "export.xlsx", base + "action/"


def test_the_applicant_list_filters_counts_and_shows_the_waiting_places(program, people):
    for name, province in (("f1", "北京"), ("f2", "山东"), ("f3", "山东"), ("f4", "北京")):
        apply(signed_in(counselor(name, province=province, school=f"{name}大学")), program, school=f"{name}大学")
    client = signed_in(people["editor_a"])
    html = client.get("/admin/programs/enrolment/").content.decode()
    assert program.title in html and f"/admin/programs/enrolment/{program.pk}/" in html
    html = client.get(f"/admin/programs/enrolment/{program.pk}/").content.decode()
    assert 'data-count="capacity">2<' in html and 'data-count="pending">2<' in html
    assert 'data-count="waiting">2<' in html and 'data-count="approved">0<' in html
    assert "候补第 1 位" in html and "候补第 2 位" in html
    assert html.count('data-testid="applicant"') == 4
    html = client.get(f"/admin/programs/enrolment/{program.pk}/?province=山东").content.decode()
    assert html.count('data-testid="applicant"') == 2 and "f2大学" in html and "f1大学" not in html
    html = client.get(f"/admin/programs/enrolment/{program.pk}/?status=waiting").content.decode()
    assert html.count('data-testid="applicant"') == 2 and "候补第 1 位" in html
    html = client.get(f"/admin/programs/enrolment/{program.pk}/?q=f4").content.decode()
    assert html.count('data-testid="applicant"') == 1 and "候补第 2 位" in html  # the place in the whole list
    html = client.get(f"/admin/programs/enrolment/{program.pk}/?status=nonsense&province=火星").content.decode()
    assert html.count('data-testid="applicant"') == 4  # a value not offered is ignored


def test_the_export_is_an_excel_sheet_that_runs_no_formula(program, people):
    apply(signed_in(counselor("x1")), program, name='=HYPERLINK("http://evil")', note="@SUM(A1)", school="-1+2")
    apply(signed_in(counselor("x2")), program, phone="13812345678")
    response = signed_in(people["reviewer_a"]).get(f"/admin/programs/enrolment/{program.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("序号", "姓名", "学校", "省份", "手机号", "电子邮箱", "状态")
    assert rows[1][1] == '\'=HYPERLINK("http://evil")' and rows[1][2] == "'-1+2" and rows[1][11] == "'@SUM(A1)"
    assert rows[2][4] == "138 1234 5678" and rows[2][6] == "待审核"
    for row in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in row)


def test_another_centers_editors_can_neither_see_nor_change_the_applicants(program, people, centers):
    user = counselor("victim")
    apply(signed_in(user), program)
    row = Enrolment.objects.get()
    listing, export, action = admin_urls(program, row.pk)
    for name in ("editor_b", "reviewer_b"):
        client = signed_in(people[name])
        assert program.title not in client.get("/admin/programs/enrolment/").content.decode()
        assert client.get(listing).status_code == 404
        assert client.get(export).status_code == 404
        for data in (
            {"action": "approve", "enrolment": row.pk},
            {"action": "decline", "enrolment": row.pk, "reason": "x"},
        ):
            assert client.post(action, data).status_code == 404
    # Their own program's URL with this center's enrolment id: refused too, nothing changes.
    _a, b = centers
    theirs = factories.ProgramPageFactory(parent=b.section, center=b)
    client = signed_in(people["editor_b"])
    assert client.get(f"/admin/programs/enrolment/{theirs.pk}/").status_code == 200
    response = client.post(f"/admin/programs/enrolment/{theirs.pk}/action/", {"action": "approve", "enrolment": row.pk})
    assert response.status_code == 404
    assert status_of(program, user) == PENDING and not mail.outbox


def test_counselors_never_reach_the_admin(program):
    user = counselor("curious")
    apply(signed_in(user), program)
    row = Enrolment.objects.get()
    client = signed_in(user)
    for url in admin_urls(program, row.pk)[:2] + ("/admin/programs/enrolment/",):
        response = client.get(url)
        assert response.status_code in (302, 403) and program.title not in response.content.decode()
    response = client.post(admin_urls(program, row.pk)[2], {"action": "approve", "enrolment": row.pk})
    assert response.status_code in (302, 403)
    assert status_of(program, user) == PENDING


def test_forged_ids_and_actions_are_refused(program, people):
    apply(signed_in(counselor("real")), program)
    row = Enrolment.objects.get()
    client = signed_in(people["editor_a"])
    action = f"/admin/programs/enrolment/{program.pk}/action/"
    assert client.post(action, {"action": "approve", "enrolment": row.pk + 999}).status_code == 404
    for data in (
        {"action": "approve", "enrolment": "abc"},
        {"action": "approve", "enrolment": str(2**70)},
        {"action": "delete", "enrolment": row.pk},
    ):
        response = client.post(action, data)
        assert response.status_code == 302 and "请选择要处理的报名人和操作" in messages_of(response)[0]
    assert client.get("/admin/programs/enrolment/99999999/").status_code == 404
    # Approving twice, or moving someone not waiting, is answered with a message.
    client.post(action, {"action": "approve", "enrolment": row.pk})
    response = client.post(action, {"action": "approve", "enrolment": row.pk})
    assert "不能录取" in messages_of(response)[0]
    response = client.post(action, {"action": "up", "enrolment": row.pk})
    assert "不在候补名单中" in messages_of(response)[0]
    # The next address is only the list's own.
    response = client.post(action, {"action": "up", "enrolment": row.pk, "next": "https://evil.example/"})
    assert response["Location"] == f"/admin/programs/enrolment/{program.pk}/"


def test_the_menu_shows_training_programs_to_center_staff(program, people):
    import json

    def shown(label, html):  # the sidebar's items are JSON in the page, non-ASCII escaped
        return label in html or json.dumps(label)[1:-1] in html

    html = signed_in(people["editor_a"]).get("/admin/").content.decode()
    assert shown("培训项目", html) and shown("学员管理", html)
    html = signed_in(counselor("menu")).get("/admin/", follow=True).content.decode()
    assert not shown("学员管理", html)


def test_the_applicant_list_costs_the_same_queries_for_few_and_many(program, people):
    client = signed_in(people["editor_a"])
    url = f"/admin/programs/enrolment/{program.pk}/"

    def cost():
        client.get(url)  # warm
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    for n in range(3):
        apply(signed_in(counselor(f"q{n}")), program)
    few = cost()
    for n in range(3, 12):
        apply(signed_in(counselor(f"q{n}")), program)
    Enrolment.objects.filter(status=PENDING).first().__class__.objects.filter(user__username="q0").update(
        status=APPROVED, decided_by=people["editor_a"], decided_at=timezone.now()
    )
    assert cost() == few


def test_the_data_copy_holds_the_applications_and_a_deleted_account_frees_its_seat(
    program, django_capture_on_commit_callbacks
):
    holder, waiter = counselor("holder"), counselor("waiter")
    client = signed_in(holder)
    apply(client, program, note="我的说明")
    apply(signed_in(counselor("other")), program)
    apply(signed_in(waiter), program)
    copy = client.get("/accounts/data/")
    assert copy.status_code == 200
    text = copy.content.decode("utf-8")
    assert "programs.exports_enrolment.personal_data" in text and "我的说明" in text and program.title in text
    assert "waiter" not in text
    with django_capture_on_commit_callbacks(execute=True):
        holder.delete()
    assert status_of(program, waiter) == PENDING
    assert [message.to for message in mail.outbox] == [["waiter@example.edu.cn"]]


def test_the_program_index_counts_in_one_query_and_administrators_see_every_center(program, people, centers):
    from django.contrib.auth import get_user_model

    _a, b = centers
    client = signed_in(people["reviewer_a"])

    def cost():
        client.get("/admin/programs/enrolment/")
        with CaptureQueriesContext(connection) as context:
            html = client.get("/admin/programs/enrolment/").content.decode()
        return len(context.captured_queries), html

    apply(signed_in(counselor("i1")), program)
    few, html = cost()
    assert html.count("data-program=") == 1
    for n in range(3):
        more = factories.ProgramPageFactory(parent=program.get_parent(), center=program.center)
        apply(signed_in(counselor(f"i{n + 2}")), more)
    many, html = cost()
    assert many == few and html.count("data-program=") == 4
    theirs = factories.ProgramPageFactory(parent=b.section, center=b, title="山东大学中心的培训班")
    root = get_user_model().objects.create_superuser("root", "root@example.edu.cn", "pw")
    html = signed_in(root).get("/admin/programs/enrolment/").content.decode()
    assert html.count("data-program=") == 5 and theirs.title in html
    assert theirs.title not in client.get("/admin/programs/enrolment/").content.decode()
