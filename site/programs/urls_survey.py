"""Addresses of the programs app's survey part (docs/programs-survey.md)."""

from django.urls import path

import hub.ids  # noqa: F401 (registers <id:…>)

from . import views_survey

urlpatterns = [
    path("<id:program_id>/survey/", views_survey.survey_view, name="survey"),
]
