from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = "发现与分享"
    default_auto_field = "django.db.models.BigAutoField"
