from django.apps import AppConfig


class MicrocoursesConfig(AppConfig):
    name = "microcourses"
    verbose_name = "微课"

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
