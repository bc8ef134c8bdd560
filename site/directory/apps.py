from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "中心与师资"
    default_auto_field = "django.db.models.BigAutoField"
