from django.urls import path, reverse
from django.utils.html import format_html

from wagtail import hooks

from editorial.menu import CenterMenuItem

from . import tus, views


# order=-1: before wagtailmedia's own URLs, so that its edit page is served by ours.
@hooks.register("register_admin_urls", order=-1)
def register_video_urls():
    return [
        path("media/edit/<int:media_id>/", views.edit, name="video_edit"),
        path("videos/<int:video_id>/status/", views.status, name="video_status"),
        path("videos/<int:video_id>/retry/", views.retry, name="video_retry"),
        path("videos/bulk-upload/", tus.bulk_upload, name="video_bulk_upload"),
        path("videos/uploads/", tus.create, name="video_uploads"),
        path("videos/uploads/<uuid:session_id>/", tus.upload, name="video_upload"),
        path("videos/uploads/<uuid:session_id>/finish/", tus.finish, name="video_upload_finish"),
    ]


@hooks.register("register_admin_menu_item")
def bulk_upload_menu_item():
    # Beside wagtailmedia's 媒体 (order 300).
    return CenterMenuItem("批量上传视频", reverse("video_bulk_upload"), icon_name="upload", order=301)


@hooks.register("insert_global_admin_css")
def video_admin_css():
    # Small and admin-only: the progress bar and state badges of the video pages.
    return format_html(
        "<style>{}</style>",
        ".video-state{display:inline-block;padding:.1em .6em;border-radius:1em;font-size:.85em;"
        "background:var(--w-color-surface-header,#eee)}"
        ".video-state--ready{background:#d9f2e3;color:#0a5c2f}.video-state--failed{background:#fde2e1;color:#8a1c14}"
        ".video-state--transcoding,.video-state--waiting{background:#fff4cc;color:#5c4400}"
        ".video-progress{width:100%;max-width:22em;height:1em}",
    )
