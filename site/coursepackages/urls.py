from django.urls import path

import hub.ids  # noqa: F401 (registers <id:…>)

from . import views

app_name = "coursepackages"

# The counselor's own packages and favourites: no user id in any URL, a package id must be one's own.
urlpatterns = [
    path("me/packages/", views.package_list, name="list"),
    path("me/packages/new/", views.package_create, name="create"),
    path("me/packages/add/", views.add, name="add"),
    path("me/packages/copy/", views.copy, name="copy"),
    path("me/packages/<id:package_id>/", views.package_detail, name="detail"),
    path("me/packages/<id:package_id>/rename/", views.rename, name="rename"),
    path("me/packages/<id:package_id>/delete/", views.delete, name="delete"),
    path("me/packages/<id:package_id>/items/<id:item_id>/remove/", views.remove, name="remove"),
    path(
        "me/packages/<id:package_id>/items/<id:item_id>/<str:direction>/",
        views.move,
        name="move",
    ),
    path("me/favourites/", views.favourites, name="favourites"),
    path("me/favourites/toggle/", views.toggle_favourite, name="toggle_favourite"),
]
