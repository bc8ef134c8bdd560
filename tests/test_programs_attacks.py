"""An attacker's review of issue 16 (training programs): forged ids, another center's staff, another
counselor, replayed check-in codes, what caches keep, and the waiting list's order. Each test names the
attack it makes; those that failed before a fix say so in their docstring."""

import time
from decimal import Decimal

import pytest

from django.conf import settings
from django.test import Client
from django.utils import timezone

from wagtail.models import PageViewRestriction

from programs import checkin, completion
from programs import enrolment as service
from programs.models import Attendance, Certificate, Enrolment, SurveyResponse

from . import factories

pytestmark = pytest.mark.django_db

PERIOD = settings.PROGRAMS_CHECKIN_SECONDS


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def program(centers):
    a, _b = centers
    program = factories.ProgramPageFactory(parent=a.section, center=a, capacity=3, capabilities=["mental_health"])
    for n in range(2):
        factories.ProgramSessionFactory(program=program, topic=f"第{n + 1}讲", sort_order=n)
    return program


@pytest.fixture
def foreign_program(centers):
    _a, b = centers
    program = factories.ProgramPageFactory(parent=b.section, center=b, capacity=3, title="山东大学中心的培训班")
    factories.ProgramSessionFactory(program=program, topic="外中心专题")
    return program


def enrol(program, status=Enrolment.APPROVED, **kwargs):
    return factories.EnrolmentFactory(program=program, status=status, **kwargs)


# -- the waiting list's order ---------------------------------------------------------------------------


def test_moving_up_one_place_among_equal_times_moves_one_place_only(program):
    """Failed before the fix: three applicants queued in the same instant (simultaneous applications),
    moving the third up put it first, ahead of one it was never swapped with."""
    now = timezone.now()
    for _n in range(3):
        enrol(program, status=Enrolment.APPROVED)  # the seats are full
    first, second, third = (enrol(program, status=Enrolment.WAITING, queued_at=now) for _n in range(3))
    staff = factories.CounselorFactory(username="staff")

    service.move(third.pk, staff, "up")
    order = list(
        Enrolment.objects.filter(program=program, status=Enrolment.WAITING)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
    )
    assert order == [first.pk, third.pk, second.pk]
    service.move(first.pk, staff, "down")
    order = list(
        Enrolment.objects.filter(program=program, status=Enrolment.WAITING)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
    )
    assert order == [third.pk, first.pk, second.pk]
    # The positions the admin and the counselor see agree with that order.
    assert [service.position_of(e) for e in Enrolment.objects.filter(pk__in=order).order_by("pk")] == [2, 3, 1]


# -- the program form: linked courses ---------------------------------------------------------------------


def test_a_private_course_cannot_be_linked_to_a_session(centers, people):
    """Failed before the fix: a live but view-restricted (private) course was accepted as a session's
    course, which participants cannot open yet must complete (require_courses)."""
    from .test_programs_pages_form import add_url, form_data

    a, _b = centers
    private = factories.MicroCoursePageFactory(parent=a.section, center=a, title="仅限登录的微课")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    open_course = factories.MicroCoursePageFactory(parent=a.section, center=a, title="公开微课")
    client = signed_in(people["editor_a"])

    response = client.post(add_url(a.section), form_data(**{"sessions-0-course_before": str(private.pk)}))
    assert response.status_code == 200
    assert "请选择公开的微课" in response.content.decode()
    response = client.post(add_url(a.section), form_data(**{"sessions-0-course_before": str(open_course.pk)}))
    assert response.status_code == 302


# -- another center's staff, with every admin address and every id of the other center --------------------


def foreign_ids(foreign_program):
    applicant = enrol(foreign_program, name="外中心学员李四", phone="13800000000")
    session = foreign_program.sessions.get()
    Attendance.objects.create(session=session, enrolment=applicant)
    certificate = Certificate.objects.create(
        enrolment=applicant,
        code="ABCD-EFGH-JKMN",
        name="外中心学员李四",
        program_title="x",
        hours=1,
        issued_on=timezone.localdate(),
    )
    SurveyResponse.objects.create(
        enrolment=applicant, program=foreign_program, overall=1, organisation=1, comment="外中心的私密意见"
    )
    return applicant, session, certificate


def test_another_centers_staff_get_nothing_of_a_program_by_any_admin_address(people, program, foreign_program):
    applicant, session, certificate = foreign_ids(foreign_program)
    pk = foreign_program.pk
    reads = [
        f"/admin/programs/enrolment/{pk}/",
        f"/admin/programs/enrolment/{pk}/export.xlsx",
        f"/admin/programs/attendance/{pk}/",
        f"/admin/programs/sessions/{session.pk}/checkin/",
        f"/admin/programs/sessions/{session.pk}/checkin/code/",
        f"/admin/survey/{pk}/",
        f"/admin/survey/{pk}/export/",
        f"/programs/certificates/{certificate.pk}/pdf/",
    ]
    for role in ("editor_a", "reviewer_a"):
        client = signed_in(people[role])
        for url in reads:
            response = client.get(url)
            assert response.status_code == 404, (role, url)
            assert "李四" not in response.content.decode(errors="ignore")
        # Lists: the foreign program is in none of them.
        for url in ("/admin/programs/enrolment/", "/admin/programs/attendance/", "/admin/survey/"):
            assert foreign_program.title not in client.get(url).content.decode(), (role, url)
        # Changes with the foreign program's ids: through its own URL, or posted to one's own program.
        assert (
            client.post(
                f"/admin/programs/enrolment/{pk}/action/",
                {"action": "decline", "enrolment": applicant.pk, "reason": "x"},
            ).status_code
            == 404
        )
        mine = program.pk
        assert (
            client.post(
                f"/admin/programs/enrolment/{mine}/action/",
                {"action": "decline", "enrolment": applicant.pk, "reason": "x"},
            ).status_code
            == 404
        )
        client.post(f"/admin/programs/attendance/{mine}/", {"revoke": str(certificate.pk)})
        client.post(f"/admin/programs/attendance/{mine}/", {"row": [applicant.pk], "mark": []})
        assert client.post(f"/admin/programs/attendance/{pk}/", {"row": [applicant.pk], "mark": []}).status_code == 404
    applicant.refresh_from_db()
    certificate.refresh_from_db()
    assert applicant.status == Enrolment.APPROVED and certificate.revoked_at is None
    assert Attendance.objects.filter(enrolment=applicant).count() == 1
    # The platform-wide evaluation of lecturers is the platform administrators' only.
    client = signed_in(people["editor_a"])
    for url in (
        "/admin/survey/experts/",
        "/admin/survey/experts/export/",
        f"/admin/survey/experts/{session.lecturer_id}/",
    ):
        assert client.get(url).status_code in (302, 403), url


def test_another_centers_staff_cannot_read_or_change_its_year_summary(people, centers):
    _a, b = centers
    year = timezone.localdate().year
    for role in ("editor_a", "reviewer_a"):
        client = signed_in(people[role])
        for url in (f"/admin/year-summary/{b.code}/{year}/", f"/admin/year-summary/{b.code}/{year}/print/"):
            assert client.get(url).status_code == 404, url
        response = client.post(f"/admin/year-summary/{b.code}/{year}/", {"achievements": "篡改", "submit": "1"})
        assert response.status_code == 404
        assert client.post(f"/admin/year-summary/{b.code}/{year}/", {"reopen": "1"}).status_code == 404
    from editorial.models import YearSummary

    assert not YearSummary.objects.filter(center=b).exists()


# -- one counselor and another's things ---------------------------------------------------------------


def test_a_counselor_gets_nothing_of_another_counselors_enrolment(program):
    mine = enrol(program, name="王五")
    theirs = enrol(program, name="赵六", phone="13900000000")
    session = program.sessions.order_by("sort_order").first()
    Attendance.objects.create(session=session, enrolment=theirs)
    certificate = Certificate.objects.create(
        enrolment=theirs, code="BCDE-FGHJ-KMNP", name="赵六", program_title="x", hours=1, issued_on=timezone.localdate()
    )
    client = signed_in(mine.user)
    assert client.get(f"/programs/certificates/{certificate.pk}/pdf/").status_code == 404
    assert client.get(f"/programs/checkin/sessions/{session.pk}/done/").status_code == 404
    page = client.get(program.url).content.decode()
    assert "赵六" not in page and "13900000000" not in page
    # Counselors never reach the admin's lists.
    for url in (f"/admin/programs/enrolment/{program.pk}/", f"/admin/survey/{program.pk}/"):
        assert client.get(url).status_code in (302, 403)


# -- check-in: replays, other sessions, other programs, other people ---------------------------------------


def test_a_check_in_code_checks_in_only_its_own_session_the_signed_in_enrolled_counselor_and_only_while_fresh(
    program, foreign_program
):
    approved = enrol(program)
    first, second = program.sessions.order_by("sort_order")
    client = signed_in(approved.user)

    # A code of another program's session: the counselor is not enrolled there.
    foreign = foreign_program.sessions.get()
    assert client.post(f"/programs/checkin/{checkin.make_token(foreign.pk)}/").status_code == 403
    # An old code replayed, with a confirmation made for another session or another user.
    old = checkin.make_token(first.pk, now=time.time() - 3 * PERIOD)
    for confirm in (
        checkin.make_confirmation(second.pk, approved.user.pk),
        checkin.make_confirmation(first.pk, approved.user.pk + 1),
        "junk",
    ):
        assert client.post(f"/programs/checkin/{old}/", {"confirm": confirm}).status_code == 410
    # A code whose session number was changed: its signature no longer holds.
    value = checkin.make_token(first.pk)
    forged = value.replace(f"{first.pk}.", f"{second.pk}.", 1)
    assert client.post(f"/programs/checkin/{forged}/").status_code == 400
    assert not Attendance.objects.exists()
    # GET shows the button and changes nothing; a fresh code and POST checks in to that session only.
    assert client.get(f"/programs/checkin/{value}/").status_code == 200
    assert not Attendance.objects.exists()
    assert client.post(f"/programs/checkin/{value}/").status_code == 302
    assert list(Attendance.objects.values_list("session_id", "enrolment_id")) == [(first.pk, approved.pk)]
    # Someone else's code in hand checks in nobody but the one signed in: a pending applicant is refused.
    pending = enrol(program, status=Enrolment.PENDING)
    assert signed_in(pending.user).post(f"/programs/checkin/{value}/").status_code == 403
    assert Attendance.objects.count() == 1


def test_a_check_in_code_of_an_unpublished_program_checks_in_nobody(program):
    approved = enrol(program)
    session = program.sessions.order_by("sort_order").first()
    program.unpublish()
    response = signed_in(approved.user).post(f"/programs/checkin/{checkin.make_token(session.pk)}/")
    assert response.status_code == 404 and not Attendance.objects.exists()


# -- hours once --------------------------------------------------------------------------------------


def test_hours_are_credited_once_even_after_revoking_republishing_with_more_hours_and_reapplying(program):
    from learning.models import LearningCredit

    approved = enrol(program)
    for session in program.sessions.all():
        Attendance.objects.create(session=session, enrolment=approved)
    assert completion.evaluate(approved)
    certificate = Certificate.objects.get(enrolment=approved)
    certificate.revoked_at = timezone.now()
    certificate.save()
    program.hours = "99.0"
    program.save_revision().publish()
    approved.refresh_from_db()
    approved.program.refresh_from_db()
    assert completion.evaluate(approved)
    credits = LearningCredit.objects.filter(user=approved.user, kind="program")
    assert [c.hours for c in credits] == [Decimal("16")]
    assert Certificate.objects.filter(enrolment=approved).count() == 1
    assert Certificate.objects.get(enrolment=approved).revoked_at is not None


# -- the page cache ---------------------------------------------------------------------------------------


def test_a_cached_program_page_holds_nothing_personal_and_a_counselors_page_is_never_cached(settings, program):
    settings.PAGECACHE_ENABLED = True
    approved = enrol(program, name="钱七", phone="13700000000")
    counselor = signed_in(approved.user)
    mine = counselor.get(program.url)
    assert mine.status_code == 200 and mine.get("X-Cache") is None
    anonymous = Client()
    first = anonymous.get(program.url)
    second = anonymous.get(program.url)
    assert second.get("X-Cache") == "HIT"
    for response in (first, second):
        body = response.content.decode()
        assert "钱七" not in body and "13700000000" not in body and "csrfmiddlewaretoken" not in body
    # And the counselor, signed in, never gets the anonymous copy.
    again = counselor.get(program.url)
    assert again.get("X-Cache") is None


def test_a_completed_participant_cannot_cancel_and_free_the_seat_keeping_hours_and_certificate(program):
    """Failed before the fix: a program completed before it starts (a rule without attendance, its
    linked courses watched online) could still be cancelled: the counselor kept the hours and a valid
    certificate while their seat went to the next on the waiting list."""
    program.min_attendance_percent = 0
    program.save_revision().publish()
    approved = enrol(program)
    assert completion.complete_enrolment(approved.pk)
    waiting = enrol(program, status=Enrolment.WAITING, queued_at=timezone.now())
    for _n in range(2):
        enrol(program, status=Enrolment.APPROVED)  # the seats are full

    response = signed_in(approved.user).post(f"/programs/{program.pk}/enrolment/cancel/")
    assert response.status_code == 302
    approved.refresh_from_db()
    waiting.refresh_from_db()
    assert approved.status == Enrolment.APPROVED and waiting.status == Enrolment.WAITING
    with pytest.raises(service.EnrolmentError):
        service.cancel(program, approved.user)


def test_the_survey_exports_are_never_kept_by_a_browser_or_proxy_cache(people, program):
    """The survey's Excel exports hold a center's free text: the admin's never-cache headers cover them."""
    client = signed_in(people["editor_a"])
    for url in (f"/admin/survey/{program.pk}/export/", "/admin/survey/lecturers/export/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url


def test_staff_cannot_decline_a_completed_participant_and_give_the_seat_away(people, program):
    """Failed before the fix: declining a completed participant freed their seat for the waiting list
    while their hours and valid certificate stayed; revoking the certificate is the tool for an error."""
    approved = enrol(program, name="孙八")
    assert completion.complete_enrolment(approved.pk)
    waiting = enrol(program, status=Enrolment.WAITING, queued_at=timezone.now())
    for _n in range(2):
        enrol(program, status=Enrolment.APPROVED)
    client = signed_in(people["editor_a"])
    response = client.post(
        f"/admin/programs/enrolment/{program.pk}/action/",
        {"action": "decline", "enrolment": approved.pk, "reason": "名额调整"},
        follow=True,
    )
    assert "已结业，不能设为未录取" in response.content.decode()
    approved.refresh_from_db()
    waiting.refresh_from_db()
    assert approved.status == Enrolment.APPROVED and waiting.status == Enrolment.WAITING


def test_a_session_topic_with_markup_stays_text_in_the_results_charts(people, centers):
    """The charts are inline SVG shown unescaped (|safe): the topics and names in them must be text."""
    from programs.models import SessionRating

    a, _b = centers
    program = factories.ProgramPageFactory(parent=a.section, center=a)
    session = factories.ProgramSessionFactory(program=program, topic="<img src=x onerror=alert(1)>讲座")
    approved = enrol(program)
    Attendance.objects.create(session=session, enrolment=approved)
    response = SurveyResponse.objects.create(enrolment=approved, program=program, overall=4, organisation=4)
    SessionRating.objects.create(response=response, session=session, lecturer=session.lecturer, content=4, teaching=4)
    page = signed_in(people["editor_a"]).get(f"/admin/survey/{program.pk}/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert "<img src" not in page.content.decode()


# -- a private program, its sessions and lecturers ----------------------------------------------------------


def test_a_private_program_its_topics_and_lecturers_reach_no_public_place(client, section, make_course):
    from search.service import SearchRequest, search

    from .test_programs_pages import publish

    teacher = factories.ExpertFactory(name="司马保密")
    make_course(title="司马老师的公开课", lecturer=teacher)  # so that the expert has a public page
    private = factories.ProgramPageFactory(parent=section, center=section.center, title="内部保密培训班")
    session = factories.ProgramSessionFactory(program=private, topic="保密专题研讨", lecturer=teacher)
    private = publish(private)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    private.save_revision().publish()  # reindexed with its restriction

    assert search(SearchRequest(q="保密专题研讨")).total == 0
    assert "内部保密培训班" not in client.get(f"/experts/{teacher.pk}/").content.decode()
    assert "内部保密培训班" not in client.get(section.url).content.decode()
    assert client.get("/api/search/", {"q": "内部保密培训班"}).json()["total"] == 0
    # Nor through the programs' own addresses: applying, the survey, a check-in code refused for a stranger.
    counselor = factories.CounselorFactory(username="stranger")
    signed = signed_in(counselor)
    assert signed.post(f"/programs/{private.pk}/enrolment/", {"name": "x"}).status_code == 404
    assert signed.get(f"/programs/{private.pk}/survey/").status_code in (403, 404)  # not a participant
    response = signed.get(f"/programs/checkin/{checkin.make_token(session.pk)}/")
    assert response.status_code == 403 and not Enrolment.objects.exists()


# -- ids past the databases' integers ---------------------------------------------------------------------

HUGE = "9" * 25


def test_ids_too_long_for_the_database_are_unknown_not_errors(people, program):
    """Failed before the fix: an id past 64 bits (signed in, or staff) made the database raise: a 500."""
    counselor = signed_in(factories.CounselorFactory(username="curious"))
    for url in (f"/programs/certificates/{HUGE}/pdf/", f"/programs/checkin/sessions/{HUGE}/done/"):
        assert counselor.get(url).status_code == 404, url
    staff = signed_in(people["editor_a"])
    for url in (
        f"/admin/programs/enrolment/{HUGE}/",
        f"/admin/programs/attendance/{HUGE}/",
        f"/admin/programs/sessions/{HUGE}/checkin/",
        f"/admin/programs/sessions/{HUGE}/checkin/code/",
        f"/admin/survey/{HUGE}/",
        f"/admin/survey/{HUGE}/export/",
    ):
        assert staff.get(url).status_code == 404, url
