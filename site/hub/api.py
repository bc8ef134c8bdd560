"""The open, read-only API (Wagtail API v2). Only live, public pages are served:
Wagtail's pages endpoint filters out drafts and view-restricted pages itself.

There is deliberately no documents or images endpoint: those would list every file,
including the attachments of drafts. Each page's attachments are in its `attachment_list`."""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
