"""Enrolment (组织报名) and applicant management (学员管理): who may apply, who gets a seat, who waits.

Every change of who holds a seat runs in one transaction that first locks the program's
`ProgramSeats` row (`select_for_update`; on SQLite the settings' IMMEDIATE transactions queue the
writers instead), then reads the capacity and the seats held *under that lock*. So simultaneous
applications, cancellations and decisions of one program are decided one after another and the
capacity is never exceeded, whatever the number of processes (tests/test_programs_concurrency.py).

Seats: pending (待审核) and approved (已录取) hold one. Beyond the capacity an applicant waits (候补),
ordered by `queued_at`. When a seat frees (a cancellation, a decline, a higher capacity), the first
waiting applicant gets it as *pending* — staff still approve every participant — and is told by
e-mail. A lower capacity takes nobody's seat: nobody new gets one until enough seats are free.

Errors are `EnrolmentError` with a Chinese message the views show as they are.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Enrolment, ProgramPage, ProgramSeats

logger = logging.getLogger(__name__)

# Statuses in which the counselor is still in the program's list (they may cancel).
ACTIVE = (Enrolment.PENDING, Enrolment.APPROVED, Enrolment.WAITING)
MAX_NOTE_LENGTH = 500
MAX_REASON_LENGTH = 200

NOT_OPEN = "该项目当前不在报名时间内。"
NOT_AVAILABLE = "没有找到这个培训项目，或它不接受报名。"
NO_PROFILE = "请先完善辅导员资料（姓名、学校、省份）后再报名。"
PROVINCE_REQUIRED = "该项目限定省份报名，请先在个人资料中填写您所在的省份。"
ALREADY = "您已报名该项目，无需重复报名。"
DECLINED_BEFORE = "您的报名未被录取，不能再次报名该项目。如有疑问，请联系主办中心。"
WAITING_FULL = "该项目报名人数（含候补）已满，暂不接受新的报名。"
NOTHING_TO_CANCEL = "您没有可取消的报名。"
TOO_LATE_TO_CANCEL = "项目已开班，不能在线取消报名，请联系主办中心。"
COMPLETED_CANNOT_CANCEL = "您已结业，不能取消报名。如有疑问，请联系主办中心。"


class EnrolmentError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def province_allowed(program, province):
    return not program.provinces or province in program.provinces


def may_cancel(program, today=None):
    today = today or timezone.localdate()
    return program.starts_on is None or today < program.starts_on


def waiting_position():
    """An annotation: 1 for the first in the waiting list, None for everyone not waiting. One
    correlated subquery on the queue index in the same statement, never a query per row."""
    ahead = (
        Enrolment.objects.filter(program=OuterRef("program"), status=Enrolment.WAITING)
        .filter(Q(queued_at__lt=OuterRef("queued_at")) | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk")))
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead), 0) + 1


def position_of(enrolment):
    """The place of a waiting enrolment in its program's list (None if it is not waiting)."""
    if enrolment is None or enrolment.status != Enrolment.WAITING:
        return None
    return (
        Enrolment.objects.filter(pk=enrolment.pk)
        .annotate(position=waiting_position())
        .values("position")[0]["position"]
    )


def counts(program_id):
    """{status: number} for one program, in one query."""
    row = Enrolment.objects.filter(program_id=program_id).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status, _label in Enrolment.STATUS_CHOICES}
    )
    return row


# -- the lock and the seats ----------------------------------------------------------------------


def _lock(program_id):
    """Lock the program's seats row (created on first use) and return the program as it is now (its
    capacity may have been changed by an editor since the caller read it). Inside transaction.atomic()."""
    ProgramSeats.objects.select_for_update().get_or_create(program_id=program_id)
    return ProgramPage.objects.get(pk=program_id)


def _held(program_id):
    return Enrolment.objects.filter(program_id=program_id, status__in=Enrolment.HOLDS_SEAT).count()


def _fill(program, now):
    """Give the free seats, if any, to the first waiting applicants (as pending), and tell them."""
    free = program.capacity - _held(program.pk)
    if free <= 0:
        return []
    promoted = list(
        Enrolment.objects.filter(program=program, status=Enrolment.WAITING).order_by("queued_at", "pk")[:free]
    )
    # One statement for all of them: a bulk decline may free many seats at once.
    Enrolment.objects.filter(pk__in=[enrolment.pk for enrolment in promoted]).update(status=Enrolment.PENDING)
    for enrolment in promoted:
        enrolment.status = Enrolment.PENDING
        _tell(enrolment, program, "promoted")
    return promoted


def fill_seats(program_id, now=None):
    """After an editor raised the capacity, or a seat holder's account was deleted: waiting applicants
    take the free seats, in order. Nothing for a program deleted meanwhile."""
    with transaction.atomic():
        if not ProgramPage.objects.filter(pk=program_id).exists():
            return []
        program = _lock(program_id)
        return _fill(program, now or timezone.now())


# -- the counselor's side --------------------------------------------------------------------------


def apply(program, user, data, now=None):
    """The counselor `user` applies to `program` (a live, public ProgramPage the caller checked) with
    the form's cleaned `data` (name, school, phone, email, note). Returns the enrolment, pending or
    waiting; raises EnrolmentError."""
    profile = getattr(user, "counselor_profile", None)
    if profile is None:
        raise EnrolmentError(NO_PROFILE)
    with transaction.atomic():
        program = _lock(program.pk)
        # The time is read under the lock: the waiting list's order is the order seats were decided in.
        now = now or timezone.now()
        if not program.enrolment_open(now):
            raise EnrolmentError(NOT_OPEN)
        if program.provinces and not profile.province:
            raise EnrolmentError(PROVINCE_REQUIRED)
        if not province_allowed(program, profile.province):
            raise EnrolmentError(f"该项目仅接受以下省份的辅导员报名：{'、'.join(program.provinces)}。")
        enrolment = Enrolment.objects.filter(program=program, user=user).first()
        if enrolment is not None and enrolment.status in ACTIVE:
            raise EnrolmentError(ALREADY)
        if enrolment is not None and enrolment.status == Enrolment.DECLINED:
            raise EnrolmentError(DECLINED_BEFORE)
        # Seats freed by a higher capacity go to those already waiting, never to a newcomer first.
        _fill(program, now)
        if _held(program.pk) < program.capacity:
            status, queued_at = Enrolment.PENDING, None
        else:
            waiting = Enrolment.objects.filter(program=program, status=Enrolment.WAITING).count()
            if waiting >= settings.PROGRAMS_MAX_WAITING:
                raise EnrolmentError(WAITING_FULL)
            status, queued_at = Enrolment.WAITING, now
        enrolment = enrolment or Enrolment(program=program, user=user)
        # Re-applying after a cancellation reuses the row (one per program and user) and starts afresh.
        enrolment.status = status
        enrolment.queued_at = queued_at
        enrolment.applied_at = now
        enrolment.decided_at = None
        enrolment.decided_by = None
        enrolment.decline_reason = ""
        enrolment.name = data["name"]
        enrolment.school = data.get("school", "")
        enrolment.province = profile.province
        enrolment.phone = data.get("phone", "")
        enrolment.email = data.get("email", "")
        enrolment.note = data.get("note", "")[:MAX_NOTE_LENGTH]
        enrolment.save()
    return enrolment


def cancel(program, user, now=None):
    """The counselor withdraws (until the program starts); their seat goes to the first waiting."""
    now = now or timezone.now()
    with transaction.atomic():
        program = _lock(program.pk)
        enrolment = Enrolment.objects.filter(program=program, user=user, status__in=ACTIVE).first()
        if enrolment is None:
            raise EnrolmentError(NOTHING_TO_CANCEL)
        if not may_cancel(program, timezone.localdate(now)):
            raise EnrolmentError(TOO_LATE_TO_CANCEL)
        if enrolment.completed_at is not None:
            # Completed (its hours credited, its certificate issued): the seat is not given away.
            raise EnrolmentError(COMPLETED_CANNOT_CANCEL)
        enrolment.status = Enrolment.CANCELLED
        enrolment.queued_at = None
        enrolment.save(update_fields=["status", "queued_at"])
        _fill(program, now)
    return enrolment


# -- staff decisions (学员管理) -----------------------------------------------------------------------


def _locked_enrolment(enrolment_id):
    """(program, enrolment) re-read under the program's lock: the state decided on is the current one."""
    program_id = Enrolment.objects.filter(pk=enrolment_id).values_list("program_id", flat=True).first()
    if program_id is None:
        raise EnrolmentError("没有找到这条报名记录。")
    program = _lock(program_id)
    return program, Enrolment.objects.select_related("user").get(pk=enrolment_id)


def approve(enrolment_id, by, now=None):
    """A pending applicant is admitted (已录取)."""
    now = now or timezone.now()
    with transaction.atomic():
        program, enrolment = _locked_enrolment(enrolment_id)
        if enrolment.status != Enrolment.PENDING:
            raise EnrolmentError(f"{enrolment.name} 的报名当前为“{enrolment.get_status_display()}”，不能录取。")
        enrolment.status = Enrolment.APPROVED
        enrolment.decided_at, enrolment.decided_by = now, by
        enrolment.save(update_fields=["status", "decided_at", "decided_by"])
        _tell(enrolment, program, "approved")
    return enrolment


def decline(enrolment_id, by, reason, now=None):
    """A pending, approved or waiting applicant is declined (未录取) with a reason; a seat they held
    goes to the first waiting."""
    now = now or timezone.now()
    reason = reason.strip()[:MAX_REASON_LENGTH]
    with transaction.atomic():
        program, enrolment = _locked_enrolment(enrolment_id)
        if enrolment.status not in ACTIVE:
            raise EnrolmentError(f"{enrolment.name} 的报名当前为“{enrolment.get_status_display()}”，无需处理。")
        if enrolment.completed_at is not None:
            # Declining would free the seat while the hours and a valid certificate stay.
            raise EnrolmentError(f"{enrolment.name} 已结业，不能设为未录取。如结业证书有误，请在“签到与结业”中撤销。")
        enrolment.status = Enrolment.DECLINED
        enrolment.queued_at = None
        enrolment.decline_reason = reason
        enrolment.decided_at, enrolment.decided_by = now, by
        enrolment.save(update_fields=["status", "queued_at", "decline_reason", "decided_at", "decided_by"])
        _tell(enrolment, program, "declined")
        _fill(program, now)
    return enrolment


# Why a bulk decision passed over someone (the admin's message says how many for each reason).
SKIP_UNKNOWN = "unknown"
SKIP_APPROVED = "approved"
SKIP_WAITING = "waiting"
SKIP_INACTIVE = "inactive"
SKIP_COMPLETED = "completed"


def decide_many(program_id, enrolment_ids, by, action, reason="", now=None):
    """One decision (action "approve" or "decline" with one `reason`) on many applicants of one program,
    under ONE acquisition of its lock, by the single decisions' rules: only pending applicants are
    admitted (a waiting one needs a freed seat first, so capacity is never passed), a completed
    participant is never declined, seats freed go to the waiting list in order, and everyone affected
    gets the same e-mail as for a single decision. The caller bounds and parses `enrolment_ids` and
    checks the user manages the program; ids of another program are passed over, never decided.
    Returns (the enrolments decided, {skip reason: number})."""
    if action not in ("approve", "decline"):
        raise ValueError(action)
    now = now or timezone.now()
    reason = reason.strip()[:MAX_REASON_LENGTH]
    wanted = set(enrolment_ids)
    skipped = {}

    def skip(why):
        skipped[why] = skipped.get(why, 0) + 1

    with transaction.atomic():
        if not ProgramPage.objects.filter(pk=program_id).exists():
            return [], {SKIP_UNKNOWN: len(wanted)} if wanted else {}
        program = _lock(program_id)
        # Re-read under the lock, in the list's order: the state decided on is the current one.
        rows = list(
            Enrolment.objects.select_related("user")
            .filter(program_id=program_id, pk__in=wanted)
            .order_by("applied_at", "pk")
        )
        for _missing in range(len(wanted) - len(rows)):
            skip(SKIP_UNKNOWN)
        done = []
        for enrolment in rows:
            if action == "approve" and enrolment.status != Enrolment.PENDING:
                skip(
                    {Enrolment.APPROVED: SKIP_APPROVED, Enrolment.WAITING: SKIP_WAITING}.get(
                        enrolment.status, SKIP_INACTIVE
                    )
                )
            elif action == "decline" and enrolment.status not in ACTIVE:
                skip(SKIP_INACTIVE)
            elif action == "decline" and enrolment.completed_at is not None:
                skip(SKIP_COMPLETED)
            else:
                done.append(enrolment)
        if not done:
            return [], skipped
        if action == "approve":
            changes = {"status": Enrolment.APPROVED, "decided_at": now, "decided_by": by}
        else:
            changes = {
                "status": Enrolment.DECLINED,
                "queued_at": None,
                "decline_reason": reason,
                "decided_at": now,
                "decided_by": by,
            }
        Enrolment.objects.filter(pk__in=[enrolment.pk for enrolment in done]).update(**changes)
        event = "approved" if action == "approve" else "declined"
        for enrolment in done:
            for field, value in changes.items():
                setattr(enrolment, field, value)
            _tell(enrolment, program, event)
        if action == "decline":
            _fill(program, now)
    return done, skipped


def move(enrolment_id, by, direction):
    """Move a waiting applicant one place up ("up") or down ("down") in the waiting list (staff may
    put a better-suited applicant first); nothing changes at either end."""
    with transaction.atomic():
        program, enrolment = _locked_enrolment(enrolment_id)
        if enrolment.status != Enrolment.WAITING:
            raise EnrolmentError(f"{enrolment.name} 不在候补名单中。")
        queue = list(
            Enrolment.objects.filter(program=program, status=Enrolment.WAITING)
            .order_by("queued_at", "pk")
            .values_list("pk", "queued_at")
        )
        index = [pk for pk, _queued in queue].index(enrolment.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(queue):
            return enrolment
        # Equal times (applications of the same instant) are first made distinct, a microsecond apart
        # in the list's order: swapping two equal times alone would let the moved one pass others.
        times = [queue[0][1] or timezone.now()]
        for _pk, queued in queue[1:]:
            times.append(max(queued or times[-1], times[-1] + datetime.timedelta(microseconds=1)))
        for (pk, queued), distinct in zip(queue, times, strict=True):
            if queued != distinct:
                Enrolment.objects.filter(pk=pk).update(queued_at=distinct)
        # Then the two swap their places.
        Enrolment.objects.filter(pk=queue[other][0]).update(queued_at=times[index])
        Enrolment.objects.filter(pk=enrolment.pk).update(queued_at=times[other])
    return enrolment


# -- e-mail ------------------------------------------------------------------------------------------

SUBJECTS = {
    "promoted": "【候补递补】您已获得“{title}”的报名名额",
    "approved": "【已录取】{title}",
    "declined": "【未录取】{title}",
}


def recipient(enrolment):
    return enrolment.email or getattr(enrolment.user, "email", "")


def _tell(enrolment, program, event):
    """E-mail the applicant once the transaction commits (never for a decision rolled back)."""
    address = recipient(enrolment)
    if not address:
        return
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    url = program.url
    context = {
        "enrolment": enrolment,
        "program": program,
        "program_url": (base + url) if url and url.startswith("/") else (url or base),
        "record_url": base + reverse("learning:record"),
    }
    subject = SUBJECTS[event].format(title=program.title)
    body = render_to_string(f"programs/email/{event}.txt", context)

    def send():
        try:
            send_mail(subject, body, None, [address])
        except Exception:  # the decision stands; the mail server's trouble is logged, not shown
            logger.exception("programs: could not send the %s e-mail of enrolment %s", event, enrolment.pk)

    transaction.on_commit(send)


def on_program_published(sender, instance, **kwargs):
    """page_published of a ProgramPage: if its capacity grew, waiting applicants take the new seats
    (after the publication commits, so the lock is not held while Wagtail finishes publishing)."""
    program_id = instance.pk
    if Enrolment.objects.filter(program_id=program_id, status=Enrolment.WAITING).exists():
        transaction.on_commit(lambda: fill_seats(program_id))


def on_enrolment_deleted(sender, instance, **kwargs):
    """post_delete of an Enrolment (its counselor deleted their account): a seat it held goes on."""
    if instance.status in Enrolment.HOLDS_SEAT:
        program_id = instance.program_id
        transaction.on_commit(lambda: fill_seats(program_id))
