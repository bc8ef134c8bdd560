"""Background tasks (django-tasks). The `video` queue keeps long transcodes apart from Wagtail's
own short tasks on the `default` queue."""

from django_tasks import task

from . import pipeline


@task(queue_name="video")
def transcode_video(video_id):
    return pipeline.transcode(video_id)


@task(queue_name="default")
def requeue_stalled_videos():
    return pipeline.requeue_stalled()
