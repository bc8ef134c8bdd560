from django.apps import AppConfig


class PopularityConfig(AppConfig):
    name = "popularity"
    verbose_name = "热度统计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
