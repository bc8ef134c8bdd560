"""Background tasks (django-tasks) of counselor accounts."""

from django_tasks import task


@task(queue_name="default")
def delete_user_sessions(user_pk):
    """The sessions a deleted account left on other devices (personal_data.erase queues this): reading
    every live session takes seconds on a national site, too long for the deletion's own request. The
    sessions stop working at once anyway (their user no longer exists); this removes what they hold."""
    from .personal_data import delete_sessions_of

    return delete_sessions_of(user_pk)
