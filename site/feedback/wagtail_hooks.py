from django.urls import path, reverse

from wagtail import hooks

from editorial import roles
from editorial.menu import CenterMenuItem

from . import admin_views
from .moderation import Scope


@hooks.register("register_admin_urls")
def register_feedback_admin_urls():
    return [
        path("feedback/", admin_views.CommentListView.as_view(), name="feedback_admin_comments"),
        path("feedback/moderate/", admin_views.ModerateView.as_view(), name="feedback_admin_moderate"),
        path("feedback/courses/", admin_views.CourseRatingsView.as_view(), name="feedback_admin_courses"),
    ]


class FeedbackMenuItem(CenterMenuItem):
    """课程评论, with the number of comments waiting for this user's decision (moderators only)."""

    def render_component(self, request):
        component = super().render_component(request)
        user = request.user
        if roles.is_platform_admin(user) or roles.center_ids_for(user, roles.REVIEWER):
            waiting = Scope(user).pending_to_moderate()
            if waiting:
                component.label = f"{self.label}（待审 {waiting}）"
        return component


@hooks.register("register_admin_menu_item")
def register_feedback_menu_item():
    # After 学习数据 (160): the same people, the same centers.
    return FeedbackMenuItem("课程评论", reverse("feedback_admin_comments"), icon_name="comment", order=170)
