from django.urls import path

import hub.ids  # noqa: F401 (registers <id:…>)

from . import views

app_name = "directory"

urlpatterns = [
    path("centers/", views.centers, name="centers"),
    path("experts/", views.experts, name="experts"),
    path("experts/<id:pk>/", views.expert, name="expert"),
]
