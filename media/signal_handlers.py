import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import Video

logger = logging.getLogger(__name__)


def queue_transcode(sender, instance, created, **kwargs):
    # On commit: the worker must find the row (and the file) that this transaction is saving.
    if getattr(instance, "_needs_transcode", False):
        instance._needs_transcode = False
        video_id = instance.pk
        transaction.on_commit(lambda: _enqueue(video_id))


def _enqueue(video_id):
    from . import pipeline

    try:
        pipeline.enqueue(video_id)
    except Exception:
        # The queue is down (Redis unreachable): the upload is saved and stays "waiting";
        # requeue_stalled() queues it when a worker runs again.
        logger.exception("video %s: could not queue its transcoding", video_id)


def delete_outputs(sender, instance, **kwargs):
    from . import pipeline

    storage = instance.storage
    names = [name for name in (instance.file.name, instance.captions.name) if name]
    transaction.on_commit(lambda: pipeline.delete_tree(storage, names, prefix=None))
    # The video's whole folder of ladders (videos/hls/<id>/), not only the current one: a ladder left by
    # an interrupted attempt, and the folder itself, go with it.
    folder = pipeline.video_folder(instance.pk)
    transaction.on_commit(lambda: pipeline.delete_tree(storage, None, prefix=folder))


def register_signal_handlers():
    post_save.connect(queue_transcode, sender=Video, dispatch_uid="media_queue_transcode")
    post_delete.connect(delete_outputs, sender=Video, dispatch_uid="media_delete_outputs")
