"""Completion (考核评价): the program's rule, and what completing it gives (docs/programs-attendance.md).

An approved enrolment completes when the sessions it attended make at least the program's
`min_attendance_percent` of all its sessions and, if the program `require_courses`, the counselor
has a LearningCredit for every micro-course linked to a session (before or after it). Completing
sets `completed_at`, credits the program's hours once to the counselor's learning record (a
LearningCredit of kind "program", keyed by the program page's id) and issues a certificate.

Completion is never withdrawn: unmarking an attendance later, or adding a session, leaves it as it is
(the record and a printed certificate would otherwise disagree). Staff may revoke a certificate.

`evaluate_many` reads the rule's facts for any number of enrolments of one program in a fixed number
of queries (the sessions, the attendance counts, the credits of the linked courses); only enrolments
that complete cost writes, each in its own short transaction with the enrolment row locked, and the
unique constraints (one credit per user and key, one certificate per enrolment) keep "once" true
when two evaluations race.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from learning.models import LearningCredit

from .models import Attendance, Enrolment, ProgramPage, ProgramSession

logger = logging.getLogger(__name__)


def rule_facts(program, enrolments):
    """{enrolment id: Facts} for enrolments of `program` (any state): three queries whatever their number."""
    sessions = list(
        ProgramSession.objects.filter(program=program).values_list("pk", "course_before_id", "course_after_id")
    )
    courses = sorted({course for _pk, *pair in sessions for course in pair if course})
    ids = [enrolment.pk for enrolment in enrolments]
    attended = dict(
        Attendance.objects.filter(enrolment_id__in=ids, session__program=program)
        .order_by()
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values_list("enrolment_id", "n")
    )
    done_courses = {}
    if courses:
        users = {enrolment.user_id for enrolment in enrolments}
        for user_id, key in LearningCredit.objects.filter(
            user_id__in=users, kind="course", course_key__in=courses
        ).values_list("user_id", "course_key"):
            done_courses.setdefault(user_id, set()).add(key)
    return {
        enrolment.pk: Facts(
            program=program,
            sessions=len(sessions),
            attended=attended.get(enrolment.pk, 0),
            courses=len(courses),
            courses_done=len(done_courses.get(enrolment.user_id, set())),
        )
        for enrolment in enrolments
    }


class Facts:
    """Where one enrolment stands against its program's rule (also shown to the counselor)."""

    def __init__(self, program, sessions, attended, courses, courses_done):
        self.program = program
        self.sessions = sessions
        self.attended = attended
        self.courses = courses
        self.courses_done = courses_done

    @property
    def percent(self):
        return (self.attended * 100 // self.sessions) if self.sessions else 0

    @property
    def attendance_met(self):
        # Whole numbers on both sides: 4 of 5 sessions is exactly 80%, not 79.99...
        return self.sessions > 0 and self.attended * 100 >= self.program.min_attendance_percent * self.sessions

    @property
    def courses_met(self):
        return not self.program.require_courses or self.courses_done >= self.courses

    @property
    def met(self):
        return self.attendance_met and self.courses_met

    @property
    def sessions_needed(self):
        """The fewest sessions attended that meet the rule."""
        need = -(-self.program.min_attendance_percent * self.sessions // 100)
        return max(need, 1) if self.sessions else 0


def evaluate(enrolment, now=None):
    """Complete `enrolment` if it meets its program's rule; True when it is (or already was) complete."""
    return enrolment.pk in evaluate_many(enrolment.program, [enrolment], now=now)


def evaluate_many(program, enrolments, now=None):
    """Complete those of `enrolments` (of `program`) that meet its rule; the ids of those complete."""
    approved = [enrolment for enrolment in enrolments if enrolment.status == Enrolment.APPROVED]
    complete = {enrolment.pk for enrolment in approved if enrolment.completed_at}
    pending = [enrolment for enrolment in approved if not enrolment.completed_at]
    if not pending:
        return complete
    facts = rule_facts(program, pending)
    for enrolment in pending:
        if facts[enrolment.pk].met and complete_enrolment(enrolment.pk, now=now):
            complete.add(enrolment.pk)
    return complete


def complete_enrolment(enrolment_id, now=None):
    """Mark the enrolment complete, credit the hours and issue the certificate, once. Returns True when
    the enrolment is complete afterwards (also when another request completed it first)."""
    from .certificates import issue_certificate

    now = now or timezone.now()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().select_related("program", "user").filter(pk=enrolment_id).first()
        )
        if enrolment is None or enrolment.status != Enrolment.APPROVED:
            return False
        if enrolment.completed_at is None:
            enrolment.completed_at = now
            enrolment.save(update_fields=["completed_at"])
        program = ProgramPage.objects.get(pk=enrolment.program_id)
        credit_program(enrolment, program, now)
        issue_certificate(enrolment, program, now)
    logger.info("programs: enrolment %s completed program %s", enrolment_id, enrolment.program_id)
    return True


def credit_program(enrolment, program, now):
    """The program's one LearningCredit for the counselor (the constraint on user and key holds it to one)."""
    if LearningCredit.objects.filter(user_id=enrolment.user_id, course_key=program.pk).exists():
        return
    try:
        with transaction.atomic():  # a savepoint: a race lost here leaves the outer transaction usable
            LearningCredit.objects.create(
                user_id=enrolment.user_id,
                course=None,
                course_key=program.pk,
                kind="program",
                title=program.title[:255],
                hours=program.hours,
                capability_codes=program.capability_codes,
                credited_at=now,
            )
    except IntegrityError:
        pass  # credited by a simultaneous evaluation


def on_credit_saved(sender, instance, created, raw=False, **kwargs):
    """A micro-course completed: the programs that link it may now be complete for its counselor. One
    query when none does; evaluated after the credit's transaction commits (a report's), so a problem
    here never loses the credit."""
    if not created or raw or instance.kind != "course":
        return
    user_id, key = instance.user_id, instance.course_key

    def run():
        from django.db.models import Q

        linked = Q(program__sessions__course_before_id=key) | Q(program__sessions__course_after_id=key)
        enrolments = list(
            Enrolment.objects.filter(linked, user_id=user_id, status=Enrolment.APPROVED, completed_at__isnull=True)
            .select_related("program")
            .distinct()[:50]
        )
        for enrolment in enrolments:
            evaluate(enrolment)

    transaction.on_commit(run)
