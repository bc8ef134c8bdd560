from django.urls import path

import hub.ids  # noqa: F401 (registers <id:…>)

from . import views

app_name = "learning"

urlpatterns = [
    path("learning/api/courses/<id:page_id>/sessions/", views.start, name="start"),
    path("learning/api/sessions/<uuid:session_id>/", views.report, name="report"),
]

# The counselor's own learning record (record_views.py): the owner's data only, no user id in any URL.
from . import record_views  # noqa: E402

urlpatterns += [
    path("me/", record_views.record, name="record"),
    path("me/radar.svg", record_views.radar, name="record_radar"),
    path("me/record.csv", record_views.record_csv, name="record_csv"),
    path("me/record.pdf", record_views.record_pdf, name="record_pdf"),
]
