"""The programs app's admin: each part registers its hooks in its own module, imported here so that
Wagtail (which imports only `wagtail_hooks`) finds them."""

from . import admin_attendance, admin_enrolment, admin_survey  # noqa: F401
