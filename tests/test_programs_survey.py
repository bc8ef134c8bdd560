"""The participants' survey (质量评估, docs/programs-survey.md): who answers, when, what is stored,
and what each kind of admin user sees of the results."""

import datetime
import io
import json

import pytest
from openpyxl import load_workbook

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial import roles
from programs import survey_results
from programs.models import Attendance, Enrolment, SessionRating, SurveyResponse

from . import factories
from .test_permissions import centers, member, people  # noqa: F401

LONG_AGO = 3  # days since the program's sessions


def ended_program(center, sessions=2, days_ago=LONG_AGO, lecturers=None, **kwargs):
    """A live program of `center` whose sessions were held `days_ago` days ago."""
    start = timezone.now() - datetime.timedelta(days=days_ago)
    program = factories.ProgramPageFactory(
        parent=center.section,
        center=center,
        enrol_opens=start - datetime.timedelta(days=30),
        enrol_closes=start - datetime.timedelta(days=10),
        starts_on=start.date(),
        ends_on=start.date(),
        **kwargs,
    )
    lecturers = lecturers or [factories.ExpertFactory() for _ in range(sessions)]
    for index in range(sessions):
        factories.ProgramSessionFactory(
            program=program,
            topic=f"专题{index + 1}：{program.title}",
            starts_at=start + datetime.timedelta(hours=3 * index),
            ends_at=start + datetime.timedelta(hours=3 * index + 2),
            lecturer=lecturers[index],
        )
    return program


def participant(program, status=Enrolment.APPROVED, attended=True, username=None):
    user = factories.CounselorFactory(**({"username": username} if username else {}))
    enrolment = factories.EnrolmentFactory(program=program, user=user, status=status)
    if attended:
        for session in program.sessions.all():
            Attendance.objects.create(session=session, enrolment=enrolment, method=Attendance.MANUAL)
    return enrolment


def answers(program, overall=5, organisation=4, content=5, teaching=4, comment="", **extra):
    data = {"overall": overall, "organisation": organisation, "comment": comment}
    for session in program.sessions.all():
        data[f"session-{session.pk}-content"] = content
        data[f"session-{session.pk}-teaching"] = teaching
    data.update(extra)
    return data


def answer(enrolment, overall, organisation, content, teaching, comment=""):
    """A stored response, as the form saves it."""
    response = SurveyResponse.objects.create(
        enrolment=enrolment, program=enrolment.program, overall=overall, organisation=organisation, comment=comment
    )
    SessionRating.objects.bulk_create(
        SessionRating(response=response, session=s, lecturer=s.lecturer, content=content, teaching=teaching)
        for s in enrolment.program.sessions.all()
    )
    return response


def survey_url(program):
    return reverse("programs:survey", args=[program.pk])


def refused(response):
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def text(response):
    return response.content.decode()


# -- the participant's survey ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_participant_answers_once_and_can_change_it_until_the_deadline(client, centers):  # noqa: F811
    a, _b = centers
    program = ended_program(a)
    enrolment = participant(program)
    first, second = program.sessions.order_by("starts_at")
    client.force_login(enrolment.user)

    page = client.get(program.url)
    assert "填写评估问卷" in text(page)
    form = client.get(survey_url(program))
    assert form.status_code == 200
    body = text(form)
    assert first.topic in body and first.lecturer.name in body and second.lecturer.name in body
    # Radio buttons in fieldsets named by their legend, one per question.
    assert body.count("<fieldset") == 2 + 2 * 2 and body.count("<legend>") == 6

    done = client.post(survey_url(program), answers(program, comment="安排紧凑，收获很大。"), follow=True)
    assert "感谢您的评价" in text(done)
    response = SurveyResponse.objects.get(enrolment=enrolment)
    assert (response.overall, response.organisation, response.comment) == (5, 4, "安排紧凑，收获很大。")
    assert {(r.session_id, r.lecturer_id, r.content, r.teaching) for r in response.ratings.all()} == {
        (first.pk, first.lecturer_id, 5, 4),
        (second.pk, second.lecturer_id, 5, 4),
    }
    assert "修改我的评价" in text(client.get(program.url))

    # Changed: still one response, the form showing the saved answers.
    changed = client.post(survey_url(program), answers(program, overall=3, content=2, teaching=1), follow=True)
    assert "您的评价已修改" in text(changed)
    assert SurveyResponse.objects.count() == 1 and SessionRating.objects.count() == 2
    response.refresh_from_db()
    assert response.overall == 3 and response.comment == ""
    shown = text(client.get(survey_url(program)))
    assert 'name="overall" value="3" checked' in shown
    assert f'name="session-{first.pk}-teaching" value="1" checked' in shown

    # After the deadline: read-only, and a POST changes nothing.
    program.survey_closes = timezone.localdate() - datetime.timedelta(days=1)
    program.save()
    closed = client.get(survey_url(program))
    assert closed.status_code == 200
    assert "不能再提交或修改" in text(closed) and "<form" not in text(closed).split("<main")[1]
    assert "3 分" in text(closed)
    refused = client.post(survey_url(program), answers(program, overall=1), follow=True)
    assert "截止" in text(refused)
    response.refresh_from_db()
    assert response.overall == 3
    assert "查看我的评价" in text(client.get(program.url))


@pytest.mark.django_db
def test_the_survey_opens_when_the_last_session_has_ended(client, centers):  # noqa: F811
    a, _b = centers
    program = ended_program(a, days_ago=1)
    last = program.sessions.order_by("-ends_at").first()
    last.ends_at = timezone.now() + datetime.timedelta(hours=1)
    last.save()
    enrolment = participant(program)
    client.force_login(enrolment.user)
    assert "培训结束后" in text(client.get(program.url))
    page = client.get(survey_url(program))
    assert "将在培训结束后开放" in text(page) and 'name="overall"' not in text(page)
    client.post(survey_url(program), answers(program))
    assert not SurveyResponse.objects.exists()

    last.ends_at = timezone.now() - datetime.timedelta(minutes=1)
    last.save()
    assert client.post(survey_url(program), answers(program)).status_code == 302
    assert SurveyResponse.objects.count() == 1


@pytest.mark.django_db
def test_only_the_participant_answers_and_sees_their_survey(client, centers):  # noqa: F811
    a, _b = centers
    program = ended_program(a)
    owner = participant(program)
    answer(owner, 2, 2, 2, 2, "只有我能看到的意见")
    url = survey_url(program)

    assert client.get(url)["Location"].startswith(reverse("account_login"))
    assert client.post(url, answers(program)).status_code == 302
    for enrolment in (
        participant(program, status=Enrolment.PENDING),
        participant(program, status=Enrolment.WAITING),
        participant(program, status=Enrolment.CANCELLED),
        participant(program, attended=False),  # approved, never present
    ):
        client.force_login(enrolment.user)
        page = client.get(url)
        assert page.status_code == 403 and "只有本项目已录取并参加培训的学员" in text(page)
        assert "只有我能看到的意见" not in text(page)
        assert client.post(url, answers(program)).status_code == 403
        assert "填写评估问卷" not in text(client.get(program.url))
    stranger = factories.CounselorFactory()
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().overall == 2

    # Another participant sees their own (empty) form, never the first one's answers.
    other = participant(program)
    client.force_login(other.user)
    page = text(client.get(url))
    assert "只有我能看到的意见" not in page and "checked" not in page

    # An unpublished program has no survey.
    program.unpublish()
    client.force_login(owner.user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("programs:survey", args=[2**63])).status_code == 404


@pytest.mark.django_db
def test_forged_session_ids_and_bad_scores_are_refused_and_nothing_typed_is_lost(client, centers):  # noqa: F811
    a, _b = centers
    program = ended_program(a)
    foreign = ended_program(a, sessions=1).sessions.get()
    enrolment = participant(program)
    client.force_login(enrolment.user)

    forged = client.post(
        survey_url(program),
        answers(
            program, comment="我的意见", **{f"session-{foreign.pk}-content": 1, f"session-{foreign.pk}-teaching": 1}
        ),
    )
    assert forged.status_code == 400
    assert "不属于本项目或您未参加的课程" in text(forged) and "我的意见" in text(forged)
    assert not SurveyResponse.objects.exists() and not SessionRating.objects.filter(session=foreign).exists()

    bad = client.post(survey_url(program), answers(program, overall=6, organisation=""))
    assert bad.status_code == 400
    assert "“总体满意度”的评分应为 1 到 5 分" in text(bad) and "请为“组织管理”评分" in text(bad)
    assert 'aria-invalid="true"' in text(bad)

    long = "很" * 1001
    too_long = client.post(survey_url(program), answers(program, comment=long))
    assert too_long.status_code == 400 and "最多 1000 字（现为 1001 字）" in text(too_long)
    assert long in text(too_long)
    assert not SurveyResponse.objects.exists()

    # A session attended by nobody may not be rated by this participant either.
    Attendance.objects.filter(enrolment=enrolment, session=program.sessions.order_by("starts_at").last()).delete()
    skipped = program.sessions.order_by("starts_at").last()
    assert client.post(survey_url(program), answers(program)).status_code == 400
    data = answers(program)
    del data[f"session-{skipped.pk}-content"], data[f"session-{skipped.pk}-teaching"]
    assert client.post(survey_url(program), data).status_code == 302
    assert list(SessionRating.objects.values_list("session", flat=True)) == [
        program.sessions.order_by("starts_at").first().pk
    ]


# -- the center's results -------------------------------------------------------------------------


@pytest.fixture
def results(centers):  # noqa: F811
    """Center A's program with three answers (and one participant who did not answer) and center
    B's program taught by the same first lecturer."""
    a, b = centers
    shared = factories.ExpertFactory(name="王教授")
    program = ended_program(a, lecturers=[shared, factories.ExpertFactory(name="李老师")])
    enrolments = [participant(program) for _ in range(4)]
    answer(enrolments[0], 5, 4, 5, 5, '=HYPERLINK("http://evil.example")')
    answer(enrolments[1], 4, 4, 4, 3, "希望增加案例研讨")
    answer(enrolments[2], 3, 2, 3, 1)
    other = ended_program(b, sessions=1, lecturers=[shared])
    answer(participant(other), 1, 1, 1, 1, "乙中心学员的意见")
    return {"program": program, "other": other, "shared": shared}


def platform_admin(django_user_model):
    roles.ensure_platform_admins()
    return member(django_user_model, "platform", Group.objects.get(name=roles.PLATFORM_ADMINS))


@pytest.mark.django_db
def test_the_center_sees_its_programs_results_and_comments(client, people, results):  # noqa: F811
    program = results["program"]
    client.force_login(people["editor_a"])
    index = text(client.get(reverse("programs_survey_index")))
    assert program.title in index and results["other"].title not in index
    assert 'data-column="participants">4<' in index and 'data-column="responses">3<' in index
    assert 'data-column="rate">75%<' in index and 'data-column="overall">4.0<' in index

    page = client.get(reverse("programs_survey_program", args=[program.pk]))
    assert page.status_code == 200
    body = text(page)
    assert 'data-number="overall">4.0<' in body and 'data-number="organisation">3.33<' in body
    assert 'data-number="rate">75%<' in body
    # The distributions: one each of 5, 4 and 3 for the overall score.
    assert '<tr data-score="5"><th scope="row">5 分（非常满意）</th><td class="num" data-column="overall">1<' in body
    assert 'role="img"' in body and "<script" not in body.split("survey-chart")[1]
    first, second = program.sessions.order_by("starts_at")
    assert f'data-session="{first.pk}"' in body
    row = body.split(f'data-session="{second.pk}"')[1].split("</tr>")[0]
    assert 'data-column="ratings">3<' in row and 'data-column="content">4.0<' in row
    assert 'data-column="teaching">3.0<' in row
    assert "希望增加案例研讨" in body and "乙中心学员的意见" not in body

    # For the center's year (issue 16, item 6): responses and average satisfaction per program.
    assert survey_results.satisfaction_by_program([program.pk, results["other"].pk]) == {
        program.pk: (3, 4.0),
        results["other"].pk: (1, 1.0),
    }

    client.force_login(people["reviewer_a"])
    assert "希望增加案例研讨" in text(client.get(reverse("programs_survey_program", args=[program.pk])))


@pytest.mark.django_db
def test_another_center_gets_nothing_of_a_programs_results(client, people, results, django_user_model):  # noqa: F811
    program = results["program"]
    client.force_login(people["editor_b"])
    for name in ("programs_survey_program", "programs_survey_program_export"):
        assert client.get(reverse(name, args=[program.pk])).status_code == 404
    assert program.title not in text(client.get(reverse("programs_survey_index")))
    lecturers = text(client.get(reverse("programs_survey_lecturers")))
    assert "李老师" not in lecturers  # taught only in center A's program
    # The admin answers PermissionDenied with a redirect to its home and "no permission".
    for url in (
        reverse("programs_survey_experts"),
        reverse("programs_survey_experts_export"),
        reverse("programs_survey_expert", args=[results["shared"].pk]),
    ):
        assert refused(client.get(url))
    # Someone with admin access but no center: refused everywhere.
    outsider = member(django_user_model, "outsider")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)
    assert refused(client.get(reverse("programs_survey_index")))
    assert refused(client.get(reverse("programs_survey_program", args=[program.pk])))


@pytest.mark.django_db
def test_lecturers_within_a_center_count_only_its_programs(client, people, results):  # noqa: F811
    client.force_login(people["editor_a"])
    page = text(client.get(reverse("programs_survey_lecturers")))
    shared = results["shared"]
    row = page.split(f'data-lecturer="{shared.pk}"')[1].split("</tr>")[0]
    # Center A's three ratings (5, 4, 3), not center B's 1.
    assert 'data-column="ratings">3<' in row and 'data-column="content">4.0<' in row
    assert 'data-column="teaching">3.0<' in row and 'data-column="programs">1<' in row


@pytest.mark.django_db
def test_platform_administrators_evaluate_lecturers_across_centers_without_free_text(
    client, results, django_user_model
):
    admin = platform_admin(django_user_model)
    client.force_login(admin)
    shared = results["shared"]
    page = text(client.get(reverse("programs_survey_experts")))
    row = page.split(f'data-lecturer="{shared.pk}"')[1].split("</tr>")[0]
    # Both centers: 5, 3, 1 for teaching (A), 1 (B): four ratings, average 2.5, in two programs.
    assert 'data-column="ratings">4<' in row and 'data-column="teaching">2.5<' in row
    assert 'data-column="programs">2<' in row and f"{timezone.localdate().year}年授课" in page
    detail = text(client.get(reverse("programs_survey_expert", args=[shared.pk])))
    assert results["program"].title in detail and results["other"].title in detail
    for body in (page, detail):
        assert "希望增加案例研讨" not in body and "乙中心学员的意见" not in body
    # The program's numbers, but its free text is the center's only.
    program_page = text(client.get(reverse("programs_survey_program", args=[results["program"].pk])))
    assert 'data-number="responses">3<' in program_page
    assert "希望增加案例研讨" not in program_page and "只对主办中心" in program_page

    workbook = load_workbook(io.BytesIO(client.get(reverse("programs_survey_experts_export")).content))
    assert workbook.sheetnames == ["主讲人", "逐年"]
    rows = list(workbook["主讲人"].iter_rows(values_only=True))
    assert rows[0][:7] == ("主讲人", "工作单位", "课程数", "项目数", "评分人次", "课程内容（平均）", "授课（平均）")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["王教授"][4:7] == (4, 3.25, 2.5)
    assert by_name["李老师"][4] == 3
    everything = " ".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row)
    assert "希望增加案例研讨" not in everything


@pytest.mark.django_db
def test_the_programs_excel_export_opens_and_keeps_formulas_as_text(client, people, results):  # noqa: F811
    program = results["program"]
    client.force_login(people["editor_a"])
    download = client.get(reverse("programs_survey_program_export", args=[program.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(download.content))
    assert workbook.sheetnames == ["汇总", "评分分布", "课程评分", "意见和建议"]
    summary = dict(workbook["汇总"].iter_rows(min_row=2, values_only=True))
    assert summary["回收问卷"] == 3 and summary["可填写人数"] == 4 and summary["总体满意度（平均）"] == 4.0
    sessions = list(workbook["课程评分"].iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in sessions] == [3, 3] and sessions[0][2] == "王教授"
    comments = [row[1] for row in workbook["意见和建议"].iter_rows(min_row=2, values_only=True)]
    assert sorted(comments) == sorted(['\'=HYPERLINK("http://evil.example")', "希望增加案例研讨"])
    assert workbook["意见和建议"]["B2"].data_type == "s" and workbook["意见和建议"]["B3"].data_type == "s"

    lecturers = load_workbook(io.BytesIO(client.get(reverse("programs_survey_lecturers_export")).content))
    names = [row[0] for row in lecturers["主讲人"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["李老师", "王教授"]


@pytest.mark.django_db
def test_superusers_see_everything_platform_admins_not_the_free_text(client, results, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.edu.cn", "pw")
    client.force_login(root)
    body = text(client.get(reverse("programs_survey_program", args=[results["other"].pk])))
    assert "乙中心学员的意见" in body
    admin = platform_admin(django_user_model)
    client.force_login(admin)
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("programs_survey_program_export", args=[results["other"].pk])).content)
    )
    assert "意见和建议" not in workbook.sheetnames


# -- bounds: queries do not grow with the responses --------------------------------------------------


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_result_pages_take_the_same_queries_for_5_and_30_responses(client, people, centers):  # noqa: F811
    a, _b = centers
    program = ended_program(a, sessions=3)
    client.force_login(people["editor_a"])
    urls = [
        reverse("programs_survey_index"),
        reverse("programs_survey_program", args=[program.pk]),
        reverse("programs_survey_program_export", args=[program.pk]),
        reverse("programs_survey_lecturers"),
        reverse("programs_survey_lecturers_export"),
    ]
    for index in range(5):
        answer(participant(program), 1 + index % 5, 3, 4, 5, f"意见{index}")
        ended_program(a, sessions=index % 2)  # more programs in the list, some without sessions
    few = [queries(client, url) for url in urls]
    for index in range(25):
        answer(participant(program), 1 + index % 5, 3, 4, 5, f"意见{index}")
        if index < 5:
            ended_program(a, sessions=index % 2)
    assert [queries(client, url) for url in urls] == few
    assert 'data-number="responses">30<' in text(client.get(urls[1]))


@pytest.mark.django_db
def test_the_platforms_evaluation_takes_the_same_queries_for_5_and_30_responses(client, centers, django_user_model):  # noqa: F811
    a, b = centers
    shared = factories.ExpertFactory()
    programs = [ended_program(a, lecturers=[shared, factories.ExpertFactory()]), ended_program(b, sessions=1)]
    client.force_login(platform_admin(django_user_model))
    urls = [
        reverse("programs_survey_experts"),
        reverse("programs_survey_experts_export"),
        reverse("programs_survey_expert", args=[shared.pk]),
        reverse("programs_survey_program", args=[programs[1].pk]),
    ]
    for index in range(5):
        answer(participant(programs[index % 2]), 4, 4, 1 + index % 5, 5)
    few = [queries(client, url) for url in urls]
    for index in range(25):
        answer(participant(programs[index % 2]), 4, 4, 1 + index % 5, 5)
    assert [queries(client, url) for url in urls] == few


@pytest.mark.django_db
def test_the_program_pages_box_costs_nothing_to_those_it_does_not_concern(rf, centers, django_assert_num_queries):  # noqa: F811
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    a, _b = centers
    program = ended_program(a)
    box = Template("{% load programs_survey %}{% program_survey %}")
    request = rf.get(program.url)
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert "培训评估" not in box.render(Context({"page": program, "request": request}))
    request.user = factories.CounselorFactory()
    with django_assert_num_queries(1):
        assert "培训评估" not in box.render(Context({"page": program, "request": request}))
    request.user = participant(program).user
    assert "填写评估问卷" in box.render(Context({"page": program, "request": request}))


@pytest.mark.django_db
def test_the_average_is_public_after_the_survey_closes_with_five_responses(client, centers):  # noqa: F811
    a, _b = centers
    program = ended_program(a, days_ago=30, survey_closes=timezone.localdate() - datetime.timedelta(days=1))
    for score in (5, 4, 4, 5):
        answer(participant(program), score, 4, 4, 4)
    assert "学员总体满意度" not in text(client.get(program.url))
    answer(participant(program), 3, 4, 4, 4)
    page = text(client.get(program.url))
    assert "学员总体满意度 <strong>4.2</strong> 分（满分 5 分，5 份问卷）" in page


@pytest.mark.django_db
def test_the_counselors_data_copy_holds_their_answers_and_nobody_elses(client, centers):  # noqa: F811
    a, _b = centers
    program = ended_program(a)
    mine = participant(program)
    answer(mine, 4, 5, 3, 2, "我的意见")
    answer(participant(program), 1, 1, 1, 1, "别人的意见")
    client.force_login(mine.user)
    data = json.loads(client.get("/accounts/data/").content)["programs.survey.personal_data"]
    assert [(r["program"], r["overall"], r["comment"]) for r in data["survey-responses"]] == [
        (program.title, 4, "我的意见")
    ]
    sessions = data["survey-responses"][0]["sessions"]
    assert [(s["content"], s["lecturer-score"]) for s in sessions] == [(3, 2), (3, 2)]
    assert sessions[0]["lecturer"] == program.sessions.order_by("starts_at").first().lecturer.name
