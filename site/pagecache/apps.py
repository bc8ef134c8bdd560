from django.apps import AppConfig


class PagecacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "页面缓存"
    default_auto_field = "django.db.models.BigAutoField"
