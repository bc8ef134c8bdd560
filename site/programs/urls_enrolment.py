"""Addresses of the programs app's enrolment part: the program page's forms post here."""

from django.urls import path

import hub.ids  # noqa: F401 (registers <id:…>)

from . import views_enrolment

urlpatterns = [
    path("<id:program_id>/enrolment/", views_enrolment.apply_view, name="enrolment_apply"),
    path("<id:program_id>/enrolment/cancel/", views_enrolment.cancel_view, name="enrolment_cancel"),
]
