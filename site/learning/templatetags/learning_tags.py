from django import template

from ..models import clock as format_clock

register = template.Library()


@register.filter
def clock(seconds):
    """12:34 or 1:02:03 for a number of seconds (empty for what is not one)."""
    try:
        seconds = max(0, int(float(seconds)))
    except (TypeError, ValueError):
        return ""
    return format_clock(seconds)
