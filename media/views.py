"""Admin views beside wagtailmedia's: the transcoding state as JSON (the progress bar polls it)
and a retry for failed videos."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from wagtail.admin.auth import permission_denied
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
