from django import template

register = template.Library()


@register.filter
def clock(seconds):
    """12:34 or 1:02:03 for a number of seconds."""
    try:
        seconds = max(0, int(float(seconds)))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
