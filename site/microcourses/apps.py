from django.apps import AppConfig


class MicrocoursesConfig(AppConfig):
    name = "microcourses"
    verbose_name = "微课"
