from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "首页"

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers(self)
