from django.apps import apps
from django.db.models.signals import post_migrate, post_save

from wagtail.models import TaskState
from wagtail.signals import task_submitted

from resources.models import TrainingCenter

from .notifications import center_review_submitted


def on_center_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        from .roles import ensure_center_roles

        ensure_center_roles(instance)


def on_post_migrate(sender, **kwargs):
    # post_migrate is sent once per app with models, and each app's permissions are created by its
    # own signal: only after the last such app are all the permissions the groups need there.
    if sender is [config for config in apps.get_app_configs() if config.models_module][-1]:
        from .roles import ensure_editorial_setup

        ensure_editorial_setup()


def register_signal_handlers():
    post_save.connect(on_center_saved, sender=TrainingCenter, dispatch_uid="editorial_center_roles")
    post_migrate.connect(on_post_migrate, dispatch_uid="editorial_setup")
    # Wagtail's own submission e-mail only knows GroupApprovalTask; ours tells the center's reviewers.
    task_submitted.connect(center_review_submitted, sender=TaskState, dispatch_uid="editorial_review_submitted")
