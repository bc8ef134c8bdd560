"""Addresses of the programs app's survey part."""

urlpatterns = []
