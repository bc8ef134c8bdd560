from django import template

from resources.formatting import format_hours

register = template.Library()


@register.filter
def hours(value):
    """Learning hours as the record writes them: 1.5, 2, 0.25 (empty for None)."""
    return "" if value is None or value == "" else format_hours(value)
