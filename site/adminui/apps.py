from django.apps import AppConfig


class AdminUIConfig(AppConfig):
    """The Wagtail admin in Chinese and in the hub's name: what the translation catalogue (hub/locale) cannot
    do. Template overrides (its templates come before Wagtail's), labels for the fields Wagtail leaves without
    one, permission names, and the menus' Wagtail links."""

    name = "adminui"
    verbose_name = "管理后台界面"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import labels
        from .permissions import translate_permission_names

        labels.apply()
        post_migrate.connect(translate_permission_names, dispatch_uid="adminui_permission_names")
