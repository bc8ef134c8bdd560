"""Addresses of the programs app's survey part (docs/programs-survey.md)."""

from django.urls import path

from . import views_survey

urlpatterns = [
    path("<int:program_id>/survey/", views_survey.survey_view, name="survey"),
]
