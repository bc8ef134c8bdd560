"""Addresses of the programs app's enrolment part."""

urlpatterns = []
