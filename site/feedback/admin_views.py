"""课程评论 in the admin: the comments and ratings of the user's own centers' courses, and the
moderators' approve / reject (plain POST forms with CSRF, one comment or the selected ones).

Counselors appear only as "{school}辅导员", as on the course page: a moderator judges a text, not a
person. A decision is one conditional update per comment (moderation.decide): it never touches the
score, so the popularity numbers stay as they are."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from editorial import roles
from hub.ids import parse_id

from .models import author_label
from .moderation import MODERATED, Scope, Status, decide, digest, parse_token, token

PAGE_SIZE = 50
MAX_SELECTED = PAGE_SIZE  # a bulk decision covers at most one page of the list
STATUS_LABELS = {Status.PENDING: "待审核", Status.APPROVED: "已通过", Status.REJECTED: "未通过"}
ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED}


class FeedbackAdminMixin(WagtailAdminTemplateMixin):
    header_icon = "comment"

    def dispatch(self, request, *args, **kwargs):
        if not roles.works_for_centers(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]


class CommentListView(FeedbackAdminMixin, TemplateView):
    template_name = "feedback/admin/comments.html"
    page_title = "课程评论"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        scope = Scope(self.request.user, parse_id(params.get("center")))
        status = params.get("status") if params.get("status") in MODERATED else Status.PENDING
        course_id = parse_id(params.get("course"))
        ratings = scope.ratings()
        if course_id is not None:
            ratings = ratings.filter(course_id=course_id)
        counts = scope.status_counts(ratings)
        listing = (
            ratings.filter(comment_status=status)
            .select_related("course", "user__counselor_profile")
            .order_by("-commented_at", "-pk")
        )
        page = Paginator(listing, PAGE_SIZE).get_page(params.get("p"))
        rows = []
        for rating in page.object_list:
            center_id = scope.center_of(rating.course.path)
            rows.append(
                {
                    "rating": rating,
                    "author": author_label(rating.user),
                    "center": scope.all_sections[center_id][2] if center_id in scope.all_sections else "",
                    "may_moderate": scope.may_moderate(rating.course.path),
                    "token": token(rating),
                }
            )
        course = scope.courses().filter(pk=course_id).first() if course_id is not None else None
        base = {"center": scope.center_id, "course": course.pk if course else None}
        query = {key: value for key, value in base.items() if value is not None}
        tabs = [
            {
                "status": value,
                "label": STATUS_LABELS[value],
                "count": counts[value],
                "url": "?" + urlencode({**query, "status": value}),
                "current": value == status,
            }
            for value in MODERATED
        ]
        here = reverse("feedback_admin_comments") + "?" + urlencode({**query, "status": status, "p": page.number})
        return super().get_context_data(
            rows=rows,
            page=page,
            elided_page_range=page.paginator.get_elided_page_range(page.number),
            status=status,
            status_label=STATUS_LABELS[status],
            tabs=tabs,
            course=course,
            centers=sorted((pk, name) for pk, (_path, _depth, name) in scope.all_sections.items()),
            center_id=scope.center_id,
            show_center=len(scope.all_sections) > 1,
            moderates=any(row["may_moderate"] for row in rows),
            here=here,
            **kwargs,
        )


class ModerateView(FeedbackAdminMixin, View):
    """Approve or reject one comment (the row's button: one=approve:<token>) or the selected ones
    (action=approve|reject, selected=<token>...). A token names the comment and the text that was read:
    a comment changed since then is left for another look."""

    def post(self, request):
        one = request.POST.get("one", "")
        if one:
            action, _, value = one.partition(":")
            tokens = [value]
        else:
            action = request.POST.get("action", "")
            tokens = request.POST.getlist("selected")[:MAX_SELECTED]
        back = self.back_url()
        if action not in ACTIONS:
            messages.error(request, "请选择“通过”或“不通过”。")
            return redirect(back)
        wanted = dict(filter(None, map(parse_token, tokens)))
        if not wanted:
            messages.error(request, "请先选择要审核的评论。")
            return redirect(back)
        scope = Scope(request.user)
        found = list(scope.ratings().filter(pk__in=list(wanted)).select_related("course"))
        allowed = [rating for rating in found if scope.may_moderate(rating.course.path)]
        if not allowed:
            # Another center's comments, or comments this user only reads: as for any refused action.
            raise PermissionDenied
        status, now, done, changed = ACTIONS[action], timezone.now(), 0, 0
        for rating in allowed:
            if not rating.comment or digest(rating.comment) != wanted[rating.pk]:
                changed += 1
                continue
            if rating.comment_status != status and not decide(rating, status, request.user, now):
                changed += 1
                continue
            done += 1
        verb = "通过" if status == Status.APPROVED else "设为不通过"
        if done:
            messages.success(request, f"已{verb} {done} 条评论。")
        if changed:
            messages.warning(request, f"{changed} 条评论在您查看后已被作者修改或删除，请重新查看后再审核。")
        if len(allowed) < len(wanted):
            messages.warning(request, f"{len(wanted) - len(allowed)} 条评论不存在或您无权审核，未作处理。")
        return redirect(back)

    def back_url(self):
        base = reverse("feedback_admin_comments")
        value = self.request.POST.get("next", "")
        # Only the list's own address with its filters: never somewhere else.
        return value if value.startswith(base + "?") and "//" not in value and "\\" not in value else base


class CourseRatingsView(FeedbackAdminMixin, TemplateView):
    """Per course of the user's centers: how many rated it, the average score, and its comments by
    status, as one grouped query per page (never a query per course)."""

    template_name = "feedback/admin/courses.html"
    page_title = "课程评分"

    def get_context_data(self, **kwargs):
        scope = Scope(self.request.user, parse_id(self.request.GET.get("center")))
        rows = (
            scope.courses()
            .order_by()
            .values("pk", "draft_title", "path", "live")
            .annotate(
                rated=Count("ratings"),
                average=Avg("ratings__score"),
                pending=Count("ratings", filter=Q(ratings__comment_status=Status.PENDING)),
                approved=Count("ratings", filter=Q(ratings__comment_status=Status.APPROVED)),
                rejected=Count("ratings", filter=Q(ratings__comment_status=Status.REJECTED)),
            )
            .filter(rated__gt=0)
            .order_by("-rated", "path")
        )
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("p"))
        for row in page.object_list:
            row["average"] = f"{row['average']:.1f}" if row["average"] is not None else "—"
            center_id = scope.center_of(row["path"])
            row["center"] = scope.all_sections[center_id][2] if center_id in scope.all_sections else ""
        return super().get_context_data(
            rows=page.object_list,
            page=page,
            elided_page_range=page.paginator.get_elided_page_range(page.number),
            centers=sorted((pk, name) for pk, (_path, _depth, name) in scope.all_sections.items()),
            center_id=scope.center_id,
            show_center=len(scope.all_sections) > 1,
            **kwargs,
        )
