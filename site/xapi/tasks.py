"""Background tasks (django-tasks) of the xapi app."""

from django_tasks import task


@task(queue_name="default")
def send_statements():
    """Send the outbox's due statements (queued after viewing events, at most every XAPI_QUEUE_EVERY_SECONDS)."""
    from .sender import send_due

    return send_due()
