"""The programs app's addresses, mounted at /programs/ (hub.urls). Each part keeps its own module."""

from django.urls import include, path

app_name = "programs"

urlpatterns = [
    path("", include("programs.urls_enrolment")),
    path("", include("programs.urls_attendance")),
    path("", include("programs.urls_survey")),
]
