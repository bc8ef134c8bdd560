from django.urls import path, register_converter

from . import views


class IdConverter:
    """A database id: at most 9 digits, so that no number reaches the database as one it cannot hold."""

    regex = "[0-9]{1,9}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

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
