from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "资源库"

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
