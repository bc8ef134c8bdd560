from django.apps import AppConfig


class OpenapiConfig(AppConfig):
    name = "openapi"
    verbose_name = "开放接口"
    default_auto_field = "django.db.models.BigAutoField"
