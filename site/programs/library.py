"""A program's status (项目状态), computed from its dates when asked, never stored: the library's facet,
the open API's `status` filter, the cards, the program page and each center's list of programs.

The status changes with the clock, so it is never frozen in the search index or a page revision. The
page shows five states; the library and the API filter by three that exclude each other, so that a
program is counted under one option at most:

- `open` (报名中): the enrolment window is open now;
- `upcoming` (即将开班): not started yet and the window is not open (before or after it);
- `finished` (已结业): its last day is past.
A program in progress whose window is closed (培训中) is under none of them.
"""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

# The page's five states, in the order of a program's life.
NOT_OPEN, OPEN, CLOSED, RUNNING, FINISHED = "not_open", "open", "closed", "running", "finished"
STATUS_LABELS = {
    NOT_OPEN: "未开始报名",
    OPEN: "报名中",
    CLOSED: "报名已截止",
    RUNNING: "培训中",
    FINISHED: "已结业",
}

# The filters' three codes (the library's facet, the API's `status`), in menu order.
FILTER_LABELS = {"upcoming": "即将开班", "open": "报名中", "finished": "已结业"}
FILTERS = list(FILTER_LABELS)


def status_of(program, now=None):
    """The page's status code of a program (its dates may be missing on a draft: then NOT_OPEN)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if program.ends_on and program.ends_on < today:
        return FINISHED
    if program.enrolment_open(now):
        return OPEN
    if program.starts_on and program.starts_on <= today:
        return RUNNING
    if program.enrol_closes and program.enrol_closes <= now:
        return CLOSED
    return NOT_OPEN


def filter_code(program, now=None):
    """The filters' code of a program (upcoming / open / finished), or None while it is in progress."""
    status = status_of(program, now)
    if status in (OPEN, FINISHED):
        return status
    return "upcoming" if status in (NOT_OPEN, CLOSED) else None


def conditions(prefix="", now=None):
    """{filter code: Q} for a queryset whose programs are at `prefix` (e.g. "programpage__" from
    ResourcePage), with the dates of this moment. The three exclude each other (see above)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    is_open = Q(**{f"{prefix}enrol_opens__lte": now, f"{prefix}enrol_closes__gt": now})
    finished = Q(**{f"{prefix}ends_on__lt": today})
    upcoming = Q(**{f"{prefix}starts_on__gt": today})
    return {
        "open": is_open & ~finished,
        "upcoming": upcoming & ~is_open,
        "finished": finished,
    }


def facet_conditions():
    """The library's facet options (code, label, Q from ResourcePage), computed per request."""
    found = conditions("programpage__")
    return tuple((code, FILTER_LABELS[code], found[code]) for code in FILTERS)


def listing_order(now=None):
    """Open programs first, then those to come (soonest first), those in progress, and finished ones
    (latest first): an annotation `status_rank` and the ordering to apply after it."""
    found = conditions(now=now)
    rank = Case(
        When(found["open"], then=Value(0)),
        When(found["upcoming"], then=Value(1)),
        When(found["finished"], then=Value(3)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return rank, ["status_rank", "starts_on", "-ends_on", "pk"]
