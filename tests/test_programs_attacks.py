"""An attacker's review of issue 16 (training programs): forged ids, another center's staff, another
counselor, replayed check-in codes, what caches keep, and the waiting list's order. Each test names the
attack it makes; those that failed before a fix say so in their docstring."""

import datetime
import time

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
    for n in range(3):
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
