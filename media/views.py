"""Admin views beside wagtailmedia's: the transcoding state as JSON (the progress bar polls it)
and a retry for failed videos."""

from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.search.backends import get_search_backends
from wagtailmedia import get_media_model
from wagtailmedia.forms import get_media_form
from wagtailmedia.permissions import MediaPermissionPolicyChecker

from . import pipeline
from .models import Video

permission_checker = MediaPermissionPolicyChecker()


def _video_for(request, video_id):
    video = get_object_or_404(Video, pk=video_id)
    if not permission_checker.policy.user_has_permission_for_instance(request.user, "change", video):
        return None
    return video


def status(request, video_id):
    video = _video_for(request, video_id)
    if video is None:
        return permission_denied(request)
    return JsonResponse(
        {
            "status": video.status,
            "status_label": video.get_status_display(),
            "progress": video.progress,
            "failure_reason": video.failure_reason,
            "duration": video.duration,
            "playlist": video.playlist_url,
            "poster": video.poster_url,
        }
    )


@require_POST
def retry(request, video_id):
    video = _video_for(request, video_id)
    if video is None:
        return permission_denied(request)
    if Video.objects.filter(pk=video.pk, status=Video.Status.FAILED).update(
        status=Video.Status.WAITING, progress=0, attempts=0, failure_reason="", failure_detail=""
    ):
        pipeline.enqueue(video.pk)
        messages.success(request, f"已重新加入转码队列：{video.title}")
    return redirect("wagtailmedia:edit", video.pk)


@permission_checker.require("change")
def edit(request, media_id):
    """wagtailmedia's edit view, reordered so that nothing is lost: it deleted the old original
    before saving the new one, so a failed save (storage down) lost the only copy. Here the old
    original (and old captions) are deleted only after the new ones are saved and committed."""
    Video = get_media_model()
    VideoForm = get_media_form(Video)
    video = get_object_or_404(Video, id=media_id)
    if not permission_checker.policy.user_has_permission_for_instance(request.user, "change", video):
        return permission_denied(request)

    if request.method == "POST":
        old_names = {"file": video.file.name, "captions": video.captions.name}
        form = VideoForm(request.POST, request.FILES, instance=video, user=request.user)
        if form.is_valid():
            with transaction.atomic():
                video = form.save()
                replaced = [
                    old
                    for name, old in old_names.items()
                    if old and name in form.changed_data and getattr(video, name).name != old
                ]
                storage = video.storage
                transaction.on_commit(lambda: pipeline.delete_tree(storage, replaced))
            for backend in get_search_backends():
                backend.add(video)
            messages.success(
                request,
                f"已更新视频：{video.title}",
                buttons=[messages.button(reverse("wagtailmedia:edit", args=(video.id,)), "编辑")],
            )
            return redirect("wagtailmedia:index")
        messages.error(request, "视频未能保存，请检查下方的错误提示。")
    else:
        form = VideoForm(instance=video, user=request.user)

    try:
        filesize = video.file.size if video.file else None
    except OSError:
        filesize = None
    if not filesize:
        messages.error(request, "找不到视频文件，请重新上传或删除该视频。")
    return render(
        request,
        "wagtailmedia/media/edit.html",
        {
            "media": video,
            "filesize": filesize,
            "form": form,
            "user_can_delete": permission_checker.policy.user_has_permission_for_instance(
                request.user, "delete", video
            ),
        },
    )
