from django.urls import path

from . import views

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("api/search/", views.api_search, name="search_api"),
    path("api/search/suggest/", views.api_suggest, name="search_suggest"),
    path("api/search/health/", views.health, name="search_health"),
]
