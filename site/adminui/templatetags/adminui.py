from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def hub_name():
    """WAGTAIL_SITE_NAME, the name the admin goes by."""
    return settings.WAGTAIL_SITE_NAME
