"""The player's JSON endpoints: start a viewing session, report what was played.

Both answer JSON with a Chinese `error` for the viewer. Anonymous viewers watch freely, but their
reports are refused before anything is read or stored.
"""

import functools
import json
import logging
from datetime import timedelta

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from access.policy import pages_access
from microcourses.models import MicroCoursePage

from .models import ViewingSession
from .tracking import (
    ReportError,
    SessionGone,
    apply_report,
    parse_report,
    progress_state,
    report_token,
    start_session,
    token_user_id,
)

logger = logging.getLogger(__name__)

MAX_REPORT_BYTES = 4096
LOGIN_REQUIRED = "登录后才能记录学习进度和学时。"


def strict_csp(view):
    """The visitors' strict policy, set on these JSON answers by the view, built once: the policy middleware
    would otherwise ask for every signed-in user whether they are an editor (two permission queries) only
    to choose the admin's looser policy, and build the header again for every report."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response[CSP_HEADER] = strict_policy()
        response._csp_fixed = True  # hub.middleware.ContentSecurityPolicyMiddleware leaves it alone
        return response

    return wrapped


@functools.cache
def strict_policy():
    return build_policy(config=settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])


def error(message, status):
    return JsonResponse({"error": message}, status=status)


def device_class(request):
    # Only the kind of device, for the counselor's own list of sessions: no user-agent string is kept.
    agent = request.META.get("HTTP_USER_AGENT", "")
    return "手机" if any(word in agent for word in ("Mobile", "Android", "iPhone")) else "电脑"


@require_POST
@strict_csp
def start(request, page_id):
    if not request.user.is_authenticated:
        return error(LOGIN_REQUIRED, 401)
    course = (
        MicroCoursePage.objects.live().filter(pk=page_id).select_related("video").prefetch_related("capabilities")
    ).first()
    # A course the viewer may not see is "not found", like its page.
    if course is None or pages_access(request, [course.pk]) is None:
        return error("没有找到这门课程。", 404)
    if course.video is None or not course.video.is_ready or not course.video.duration:
        return error("这门课程的视频暂时无法播放。", 409)
    since = timezone.now() - timedelta(days=1)
    if ViewingSession.objects.filter(user=request.user, started_at__gte=since).count() >= (
        settings.LEARNING_SESSIONS_PER_DAY
    ):
        return error("今天打开课程的次数过多，请明天再试。", 429)
    session, progress = start_session(request.user, course, device=device_class(request))
    return JsonResponse(
        {
            "session": str(session.pk),
            "report_url": f"/learning/api/sessions/{session.pk}/",
            "report_token": report_token(session.pk, request.user.pk, request.user.password),
            "report_interval": settings.LEARNING_REPORT_INTERVAL,
            "max_rate": settings.LEARNING_MAX_PLAYBACK_RATE,
            "resume_at": progress.resume_at,
            **progress_state(progress),
        },
        status=201,
    )


def read_body(request):
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REPORT_BYTES:
        raise ReportError("上报内容过大。")
    # navigator.sendBeacon cannot set headers: its form body carries the report token and the report.
    json_body = request.content_type == "application/json"
    body = request.body if json_body else request.POST.get("payload", "")
    if len(body) > MAX_REPORT_BYTES:
        raise ReportError("上报内容过大。")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: thousands of nested brackets fit in 4 KB.
        raise ReportError("上报内容不是有效的 JSON。") from None


def same_origin(request):
    """No Origin header (an old browser, a beacon in some), or this site's own."""
    origin = request.headers.get("Origin")
    return origin is None or origin == f"{request.scheme}://{request.get_host()}"


# The report token (learning.tracking.report_token) authenticates reports and protects them from other
# sites instead of the session cookie and the CSRF cookie: no session or user is loaded, which halves
# the cost of the site's most frequent request (docs/learning-bench.md).
@csrf_exempt
@require_POST
@strict_csp
def report(request, session_id):
    token = request.headers.get("X-Report-Token") or (
        request.POST.get("token", "") if request.content_type != "application/json" else ""
    )
    user_id = token_user_id(token)
    if user_id is None:
        return error(LOGIN_REQUIRED, 401)
    if not same_origin(request):
        return error("请求来源不正确。", 403)
    try:
        parsed = parse_report(read_body(request))
    except ReportError as exc:
        return error(str(exc), 413 if "过大" in str(exc) else 400)
    try:
        state = apply_report(
            user_id,
            session_id,
            parsed,
            token=token,
            may_complete=lambda course_id: pages_access(request, [course_id]) is not None,
        )
    except ViewingSession.DoesNotExist:
        # Another counselor's session, or a wrong token, looks exactly like a session that does not exist.
        return error("没有找到这次观看记录，请刷新页面。", 404)
    except SessionGone as gone:
        return error(str(gone), gone.status)
    return JsonResponse(state)
