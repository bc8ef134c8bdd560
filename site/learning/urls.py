from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("learning/api/courses/<int:page_id>/sessions/", views.start, name="start"),
    path("learning/api/sessions/<uuid:session_id>/", views.report, name="report"),
]
