from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "工作案例"
