from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="accounts_profile"),
    path("data/", views.data_export, name="accounts_data"),
    path("delete/", views.delete_account, name="accounts_delete"),
]
