from django.urls import path, reverse

from wagtail import hooks

import hub.ids  # noqa: F401 (registers <id:…>)
from editorial.menu import CenterMenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_learning_admin_urls():
    return [
        path("learning/", admin_views.CourseListView.as_view(), name="learning_admin_index"),
        path("learning/<id:course_id>/", admin_views.CourseDetailView.as_view(), name="learning_admin_course"),
    ]


@hooks.register("register_admin_menu_item")
def register_learning_menu_item():
    # Beside 报送进度 (order 150): the same people, the same centers.
    return CenterMenuItem("学习数据", reverse("learning_admin_index"), icon_name="view", order=160)
