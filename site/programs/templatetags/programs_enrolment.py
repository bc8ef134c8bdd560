"""The enrolment box of a program page ({% enrolment_box %} in programs/includes/enrolment.html) and
the counselor's programs in their learning record ({% my_programs as rows %} in
programs/includes/record.html). Each reads the signed-in user's own enrolments only."""

from django import template
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone

from access.visibility import is_public

from ..enrolment import ACTIVE, MAX_NOTE_LENGTH, counts, may_cancel, position_of, province_allowed, waiting_position
from ..forms_enrolment import initial_from_profile
from ..models import Enrolment
from ..views_enrolment import pop_draft

register = template.Library()

# The learning record lists at most this many of the counselor's programs (the newest first).
RECORD_MAX_ROWS = 100


def window_state(page, now):
    if not (page.enrol_opens and page.enrol_closes):
        return "none"
    if now < page.enrol_opens:
        return "soon"
    if now >= page.enrol_closes:
        return "closed"
    return "open"


@register.inclusion_tag("programs/enrolment/box.html", takes_context=True)
def enrolment_box(context):
    page = context["page"]
    request = context.get("request")
    data = {"page": page, "request": request, "max_note": MAX_NOTE_LENGTH}
    if page.pk is None or request is None:
        return {**data, "unsaved": True}
    now = timezone.now()
    data["window"] = window_state(page, now)
    # The program's last day is past: no "请按时参加培训" nor "如需取消请联系主办中心" any more (newuser).
    last_day = page.ends_on or page.starts_on
    data["ended"] = bool(last_day and last_day < timezone.localdate(now))
    data["provinces"] = "、".join(page.provinces or [])
    if not is_public(page, request):
        # A preview, or a private program: nobody applies to what the public does not see.
        return {**data, "not_public": True}
    user = request.user
    if not user.is_authenticated:
        return {**data, "login_url": redirect_to_login(f"{page.get_url(request)}#enrolment")["Location"]}

    numbers = counts(page.pk)
    held = numbers[Enrolment.PENDING] + numbers[Enrolment.APPROVED]
    data["seats_left"] = max(0, page.capacity - held)
    data["waiting_count"] = numbers[Enrolment.WAITING]
    enrolment = Enrolment.objects.filter(program=page, user=user).first()
    data["enrolment"] = enrolment
    data["position"] = position_of(enrolment)
    data["active"] = enrolment is not None and enrolment.status in ACTIVE
    data["may_cancel"] = data["active"] and may_cancel(page) and enrolment.completed_at is None

    if enrolment is None or enrolment.status == Enrolment.CANCELLED:
        profile = getattr(user, "counselor_profile", None)
        if profile is None:
            data["blocked"] = "no_profile"
        elif page.provinces and not province_allowed(page, profile.province):
            data["blocked"] = "province"
        elif data["window"] != "open":
            data["blocked"] = "window"
        data["profile_province"] = profile.province if profile else ""
        draft = pop_draft(request, page)
        if draft is not None:
            data["values"] = draft
            data["error"] = draft.get("error", "")
            data["error_field"] = draft.get("field", "")
        else:
            data["values"] = initial_from_profile(user)
        data["show_form"] = "blocked" not in data
    return data


@register.simple_tag(takes_context=True)
def my_programs(context):
    """The signed-in user's programs, newest application first, with state and link (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    enrolments = (
        Enrolment.objects.filter(user=user)
        .select_related("program")
        .annotate(position=waiting_position())
        .order_by("-applied_at", "-pk")[:RECORD_MAX_ROWS]
    )
    rows = []
    for enrolment in enrolments:
        program = enrolment.program
        rows.append(
            {
                "enrolment": enrolment,
                "program": program,
                "url": program.get_url(request) if program.live else None,
                "position": enrolment.position if enrolment.status == Enrolment.WAITING else None,
            }
        )
    return rows
