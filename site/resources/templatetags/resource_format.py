from django import template

from resources.formatting import format_duration, format_hours

register = template.Library()


@register.filter
def duration(seconds):
    """A video's length as every page writes it (resources.formatting): 45 秒, 12 分 30 秒."""
    return format_duration(seconds)


@register.filter
def hours(value):
    """Learning hours as every page writes them: 0.5, 1, 0.75."""
    return format_hours(value)
