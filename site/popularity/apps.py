from django.apps import AppConfig


class PopularityConfig(AppConfig):
    name = "popularity"
    verbose_name = "热度统计"
    default_auto_field = "django.db.models.BigAutoField"
