from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("feedback/courses/<int:course_id>/rating/", views.rate, name="rate"),
    path("feedback/courses/<int:course_id>/rating/delete/", views.delete, name="delete"),
]
