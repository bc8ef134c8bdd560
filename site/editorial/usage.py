"""Where a file is used (the "usage" pages of videos, images and documents), scoped.

wagtailmedia's usage view checked no permission at all: anyone in the admin could read any video's
title by its id. Here all three use Wagtail's generic usage view: the file's own change permission
first (403 otherwise), then only the uses in pages the user may see (editorial.scoping); a page
the user may see but not edit is listed as Wagtail does, as "(Private 页面)" without its title."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from wagtail.admin.views.generic.usage import UsageView
from wagtail.documents.views.documents import UsageView as DocumentUsageView
from wagtail.images.views.images import UsageView as ImageUsageView
from wagtail.models import Page, ReferenceIndex
from wagtailmedia.models import get_media_model

from . import roles
from .scoping import visible_pages


class VisibleUsageMixin:
    def get_queryset(self):
        references = ReferenceIndex.get_references_to(self.object)
        user = self.request.user
        if not roles.is_platform_admin(user):
            # object_id is text (any model's key): compare it with the visible pages' ids as text.
            pages = visible_pages(Page.objects.all(), user).annotate(key=Cast("pk", output_field=CharField()))
            page_type = ContentType.objects.get_for_model(Page)
            references = references.exclude(Q(base_content_type=page_type) & ~Q(object_id__in=pages.values("key")))
        return references.group_by_source_object()


class ScopedImageUsageView(VisibleUsageMixin, ImageUsageView):
    pass


class ScopedDocumentUsageView(VisibleUsageMixin, DocumentUsageView):
    pass


class VideoUsageView(VisibleUsageMixin, UsageView):
    model = get_media_model()
    pk_url_kwarg = "media_id"
    permission_required = "change"
    header_icon = "media"
    index_url_name = "wagtailmedia:index"
    edit_url_name = "wagtailmedia:edit"

    def user_has_permission(self, permission):
        return self.permission_policy.user_has_permission_for_instance(self.request.user, permission, self.object)

    def get_page_subtitle(self):
        return self.object.title
