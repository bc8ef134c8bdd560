"""Addresses of the programs app's attendance part."""

urlpatterns = []
