"""Addresses of the programs app's attendance part (docs/programs-attendance.md)."""

from django.urls import path

import hub.ids  # noqa: F401 (registers <id:…>)

from . import views_attendance as views

urlpatterns = [
    path("checkin/<str:token>/", views.checkin_view, name="checkin"),
    path("checkin/sessions/<id:session_id>/done/", views.checkin_done, name="checkin_done"),
    path("certificates/verify/", views.certificate_verify, name="certificate_verify"),
    path("certificates/<id:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:code>/", views.certificate_detail, name="certificate_detail"),
]
