from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "xapi"
    verbose_name = "xAPI 学习记录库"
    default_auto_field = "django.db.models.BigAutoField"
