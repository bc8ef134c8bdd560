from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "文件访问控制"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
