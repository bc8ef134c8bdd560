from django.urls import path

import hub.ids  # noqa: F401 (registers <id:…>)

from . import views

app_name = "openapi"

urlpatterns = [
    path("resources/", views.resource_list, name="resources"),
    path("resources/<id:pk>/", views.resource_detail, name="resource"),
    path("centers/", views.center_list, name="centers"),
    path("centers/<id:pk>/", views.center_detail, name="center"),
    path("experts/", views.expert_list, name="experts"),
    path("experts/<id:pk>/", views.expert_detail, name="expert"),
    path("experts/<id:pk>/courses/", views.expert_courses, name="expert_courses"),
]
