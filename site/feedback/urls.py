from django.urls import path

import hub.ids  # noqa: F401 (registers <id:…>)

from . import views

app_name = "feedback"

urlpatterns = [
    path("feedback/courses/<id:course_id>/rating/", views.rate, name="rate"),
    path("feedback/courses/<id:course_id>/rating/delete/", views.delete, name="delete"),
]
