"""学员管理's bulk decisions (批量录取 / 批量不录取, docs/programs-enrolment.md): the rules of the single
decision for every ticked applicant of one page, under one lock, one e-mail each, bounded and
center-scoped, forged ids passed over and counted, never a 500."""

import datetime

import pytest

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programs import enrolment as service
from programs.models import Enrolment, ProgramSeats

from . import factories
from .test_programs_enrolment import signed_in

pytestmark = pytest.mark.django_db

PENDING, APPROVED, WAITING = Enrolment.PENDING, Enrolment.APPROVED, Enrolment.WAITING
DECLINED, CANCELLED = Enrolment.DECLINED, Enrolment.CANCELLED


@pytest.fixture
def program(centers):
    a, _b = centers
    return factories.ProgramPageFactory(parent=a.section, center=a, capacity=3, title="全国辅导员骨干示范培训班")


def enrol(program, status=PENDING, n=1, **kwargs):
    """n applications in the order they were made (waiting ones queued in that order too)."""
    start = timezone.now() - datetime.timedelta(hours=1)
    rows = []
    for index in range(n):
        moment = start + datetime.timedelta(seconds=index)
        fields = {"applied_at": moment, "queued_at": moment if status == WAITING else None, **kwargs}
        rows.append(factories.EnrolmentFactory(program=program, status=status, **fields))
    return rows


def bulk(client, program, action, rows_or_ids, **data):
    ids = [getattr(row, "pk", row) for row in rows_or_ids]
    return client.post(f"/admin/programs/enrolment/{program.pk}/bulk/", {"action": action, "enrolment": ids, **data})


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages._queued_messages]


def statuses(rows):
    by_pk = dict(Enrolment.objects.filter(pk__in=[row.pk for row in rows]).values_list("pk", "status"))
    return [by_pk[row.pk] for row in rows]


def test_bulk_approval_admits_every_pending_applicant_and_tells_each(
    program, people, django_capture_on_commit_callbacks
):
    rows = enrol(program, n=3)
    client = signed_in(people["editor_a"])
    back = f"/admin/programs/enrolment/{program.pk}/?status=pending&p=1"
    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(client, program, "approve", rows, next=back)
    assert response.status_code == 302 and response["Location"] == back  # the same filtered page
    assert messages_of(response) == ["已录取 3 人，并已邮件通知。"]
    assert statuses(rows) == [APPROVED] * 3
    assert all(row.decided_by_id == people["editor_a"].pk for row in Enrolment.objects.all())
    assert sorted(message.to[0] for message in mail.outbox) == sorted(row.email for row in rows)
    assert all("【已录取】" in message.subject and program.title in message.body for message in mail.outbox)


def test_bulk_decline_needs_a_reason_frees_the_seats_and_the_waiting_list_moves_up_in_order(
    program, people, django_capture_on_commit_callbacks
):
    holders = enrol(program, n=3)
    waiting = enrol(program, WAITING, n=3)
    client = signed_in(people["reviewer_a"])
    for reason in ("", "   "):
        response = bulk(client, program, "decline", holders[:2], reason=reason)
        assert messages_of(response) == ["请填写未录取的原因，它会告知报名人。"]
    response = bulk(client, program, "decline", holders[:2], reason="超" * 201)
    assert "最多 200 字" in messages_of(response)[0]
    assert statuses(holders + waiting) == [PENDING] * 3 + [WAITING] * 3 and not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(client, program, "decline", holders[:2], reason="名额优先给西部高校")
    assert messages_of(response) == ["已设为未录取 2 人，并已邮件通知。"]
    assert statuses(holders + waiting) == [DECLINED, DECLINED, PENDING, PENDING, PENDING, WAITING]
    assert set(Enrolment.objects.filter(status=DECLINED).values_list("decline_reason", flat=True)) == {
        "名额优先给西部高校"
    }
    assert service.position_of(Enrolment.objects.get(pk=waiting[2].pk)) == 1
    assert Enrolment.objects.filter(program=program, status__in=Enrolment.HOLDS_SEAT).count() == program.capacity
    told = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 4
    for row in holders[:2]:
        assert "【未录取】" in told[row.email].subject and "名额优先给西部高校" in told[row.email].body
    for row in waiting[:2]:
        assert "候补递补" in told[row.email].subject
    assert waiting[2].email not in told


def test_a_waiting_applicant_is_not_approved_past_the_capacity(program, people):
    pending = enrol(program, n=3)
    waiting = enrol(program, WAITING, n=1)
    approved = enrol(program, APPROVED, n=1)
    response = bulk(signed_in(people["editor_a"]), program, "approve", pending + waiting + approved)
    assert statuses(pending + waiting + approved) == [APPROVED] * 3 + [WAITING, APPROVED]
    assert messages_of(response) == [
        "已录取 3 人，并已邮件通知。跳过 2 人：1 人已录取；1 人在候补名单中（有空出的名额递补为待审核后才能录取）。"
    ]


def test_another_centers_editor_gets_a_404_and_nothing_changes(program, people, centers):
    rows = enrol(program, n=2)
    _a, b = centers
    theirs = factories.ProgramPageFactory(parent=b.section, center=b)
    for name in ("editor_b", "reviewer_b"):
        client = signed_in(people[name])
        assert bulk(client, program, "approve", rows).status_code == 404
        assert bulk(client, program, "decline", rows, reason="x").status_code == 404
        # Their own program's address with this program's ids: passed over, nothing decided.
        response = bulk(client, theirs, "approve", rows)
        assert (
            response.status_code == 302 and "跳过 2 人：2 人不是本项目的报名记录或已不存在" in messages_of(response)[0]
        )
    assert statuses(rows) == [PENDING, PENDING] and not mail.outbox
    # Counselors never reach it.
    response = bulk(signed_in(rows[0].user), program, "approve", rows)
    assert response.status_code in (302, 403) and statuses(rows) == [PENDING, PENDING]


def test_ids_of_another_program_in_the_same_post_are_passed_over_and_reported(program, people, centers):
    a, _b = centers
    ours = enrol(program, n=2)
    other_program = factories.ProgramPageFactory(parent=a.section, center=a)  # same center, another program
    others = enrol(other_program, n=1)
    response = bulk(signed_in(people["editor_a"]), program, "approve", ours + others + [99_999_999])
    assert statuses(ours) == [APPROVED, APPROVED] and statuses(others) == [PENDING]
    assert messages_of(response) == ["已录取 2 人，并已邮件通知。跳过 2 人：2 人不是本项目的报名记录或已不存在。"]


def test_more_than_a_page_of_ids_is_refused_and_nothing_changes(program, people, settings):
    settings.PROGRAMS_APPLICANTS_PER_PAGE = 10
    program.capacity = 20
    program.save()
    rows = enrol(program, n=11)
    client = signed_in(people["editor_a"])
    response = bulk(client, program, "approve", rows)
    assert response.status_code == 302
    assert messages_of(response) == ["一次最多处理 10 人（一页），请分页处理。未做任何更改。"]
    assert statuses(rows) == [PENDING] * 11
    # Padding a page with the same id repeated counts as well: refused.
    response = bulk(client, program, "approve", [rows[0]] * 11)
    assert "一次最多处理 10 人" in messages_of(response)[0] and statuses(rows[:1]) == [PENDING]
    response = bulk(client, program, "approve", rows[:10])
    assert messages_of(response) == ["已录取 10 人，并已邮件通知。"]


def test_huge_or_garbage_ids_and_actions_never_500(program, people):
    (row,) = enrol(program)
    client = signed_in(people["editor_a"])
    garbage = ["abc", str(2**70), "9" * 40, "-1", "0", "", "١٢", "1.5", " 1", "1e3"]
    for values in ([], garbage):
        response = bulk(client, program, "approve", values)
        assert response.status_code == 302 and messages_of(response) == ["请先勾选要处理的报名人。"]
    response = bulk(client, program, "approve", [row] + garbage)
    assert response.status_code == 302
    assert messages_of(response) == [
        f"已录取 1 人，并已邮件通知。跳过 {len(garbage)} 人：{len(garbage)} 人不是本项目的报名记录或已不存在。"
    ]
    for action in ("", "delete", "up", "approve;drop"):
        response = bulk(client, program, action, [row])
        assert response.status_code == 302 and messages_of(response) == ["请选择批量录取或批量不录取。"]
    response = client.post(
        f"/admin/programs/enrolment/{program.pk}/bulk/", {"action": "approve", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/admin/programs/enrolment/{program.pk}/"
    assert client.post(f"/admin/programs/enrolment/{2**70}/bulk/", {"action": "approve"}).status_code == 404
    assert client.get(f"/admin/programs/enrolment/{program.pk}/bulk/").status_code == 405


def test_a_completed_participant_is_passed_over_in_a_bulk_decline(program, people):
    done = enrol(program, APPROVED, n=1, completed_at=timezone.now())
    others = enrol(program, n=1) + enrol(program, CANCELLED, n=1)
    response = bulk(signed_in(people["editor_a"]), program, "decline", done + others, reason="名额调整")
    assert statuses(done + others) == [APPROVED, DECLINED, CANCELLED]
    assert messages_of(response) == [
        "已设为未录取 1 人，并已邮件通知。跳过 2 人：1 人已是未录取或已取消；"
        "1 人已结业，不能设为未录取（如结业证书有误，请在“签到与结业”中撤销）。"
    ]
    # Nothing decided at all is an error message, and still no change.
    response = bulk(signed_in(people["editor_a"]), program, "decline", done, reason="名额调整")
    assert messages_of(response)[0].startswith("已设为未录取 0 人。跳过 1 人：1 人已结业")
    assert statuses(done) == [APPROVED]


def test_the_list_offers_boxes_only_where_a_decision_applies_and_selects_the_page_without_javascript(program, people):
    enrol(program, n=1, name="甲老师")
    enrol(program, WAITING, n=1, name="乙老师")
    enrol(program, APPROVED, n=1, name="丙老师", completed_at=timezone.now())
    enrol(program, DECLINED, n=1, name="丁老师")
    enrol(program, CANCELLED, n=1, name="戊老师")
    client = signed_in(people["editor_a"])
    url = f"/admin/programs/enrolment/{program.pk}/"
    html = client.get(url + "?province=北京").content.decode()
    assert 'id="enrolment-bulk"' in html and f'action="/admin/programs/enrolment/{program.pk}/bulk/"' in html
    assert "csrfmiddlewaretoken" in html and "批量录取" in html and "批量不录取" in html
    assert html.count('form="enrolment-bulk"') == 2 and "选择 甲老师" in html and "选择 乙老师" in html
    assert "选择 丙老师" not in html and "选择 丁老师" not in html and "选择 戊老师" not in html
    assert html.count(" checked>") == 0
    assert "全选本页" in html and "select=page" in html and "programs/enrolment-bulk.js" in html
    assert "<script>" not in html.split("enrolment-bulk.js")[0].rsplit("</head>", 1)[-1]  # no inline script of ours
    html = client.get(url + "?province=北京&p=1&select=page").content.decode()
    assert html.count(" checked>") == 2 and "取消全选" in html
    # A page with nobody to decide on offers no bulk form.
    html = client.get(url + "?status=declined").content.decode()
    assert 'id="enrolment-bulk"' not in html and 'data-testid="applicant"' in html


def cost(client, program, action, rows, **data):
    ProgramSeats.objects.get_or_create(program=program)
    with CaptureQueriesContext(connection) as context:
        response = bulk(client, program, action, rows, **data)
    assert response.status_code == 302
    sql = [query["sql"] for query in context.captured_queries]
    assert sum("programs_programseats" in statement for statement in sql) == 1  # one lock for the request
    return len(sql)


def test_bulk_decisions_cost_the_same_queries_for_5_and_30(centers, people, django_capture_on_commit_callbacks):
    a, _b = centers
    client = signed_in(people["editor_a"])
    costs = {}
    for n in (5, 30):
        program = factories.ProgramPageFactory(parent=a.section, center=a, capacity=n)
        holders = enrol(program, n=n)
        with django_capture_on_commit_callbacks(execute=True):
            approve = cost(client, program, "approve", holders)
        assert statuses(holders) == [APPROVED] * n
        waiting = enrol(program, WAITING, n=n)
        with django_capture_on_commit_callbacks(execute=True):
            decline = cost(client, program, "decline", holders, reason="名额调整")
        assert statuses(holders + waiting) == [DECLINED] * n + [PENDING] * n
        costs[n] = (approve, decline)
    assert costs[5] == costs[30]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_bulk_declines_racing_new_applications_keep_the_capacity_and_the_waiting_order(centers, people):
    """Two members of staff decline overlapping pages while ten counselors apply, all at once (threads,
    each with its own connection): everyone is declined once (one e-mail each), the freed seats go to
    those already waiting, in order, and the newcomers wait behind them."""
    from .test_programs_concurrency import apply_job, at_once, clients_for, shared_database

    shared_database()
    a, _b = centers
    program = factories.ProgramPageFactory(parent=a.section, center=a, capacity=10)
    holders = enrol(program, n=10)
    waiting = enrol(program, WAITING, n=10)
    newcomers = clients_for(10, "late")
    staff = [signed_in(people["editor_a"]), signed_in(people["reviewer_a"])]

    def decline_job(client, rows):
        return lambda: bulk(client, program, "decline", rows, reason="名额调整").status_code

    jobs = [decline_job(staff[0], holders[:6]), decline_job(staff[1], holders[4:])]
    jobs += [apply_job(client, program, f"新学员{n}") for n, (_user, client) in enumerate(newcomers)]
    results, errors = at_once(jobs)
    assert not errors and len(results) == 12
    assert statuses(holders) == [DECLINED] * 10
    assert statuses(waiting) == [PENDING] * 10  # the freed seats went to those already waiting
    late = Enrolment.objects.filter(program=program, user__in=[user for user, _client in newcomers])
    assert sorted(late.values_list("status", flat=True)) == [WAITING] * 10
    assert Enrolment.objects.filter(program=program, status__in=Enrolment.HOLDS_SEAT).count() == 10
    declined_mails = [message.to[0] for message in mail.outbox if "【未录取】" in message.subject]
    assert sorted(declined_mails) == sorted(row.email for row in holders)  # one each, none twice
