from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "培训项目"

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
