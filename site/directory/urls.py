from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("centers/", views.centers, name="centers"),
    path("experts/", views.experts, name="experts"),
    path("experts/<int:pk>/", views.expert, name="expert"),
]
