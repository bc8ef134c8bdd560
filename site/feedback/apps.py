from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "课程评价"
    default_auto_field = "django.db.models.BigAutoField"
