from django.apps import AppConfig


class CoursePackagesConfig(AppConfig):
    name = "coursepackages"
    verbose_name = "课程套餐"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
