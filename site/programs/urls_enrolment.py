"""Addresses of the programs app's enrolment part: the program page's forms post here."""

from django.urls import path

from . import views_enrolment

urlpatterns = [
    path("<int:program_id>/enrolment/", views_enrolment.apply_view, name="enrolment_apply"),
    path("<int:program_id>/enrolment/cancel/", views_enrolment.cancel_view, name="enrolment_cancel"),
]
