"""How durations and learning hours are written, the same on every page, list, card and admin view:
a 45-second video is "45 秒" on its page and in the media list alike, and hours are 0.5 / 1 / 0.75,
never 0.50 beside 1."""

from decimal import Decimal


def format_duration(seconds):
    """45 秒 · 15 分钟 · 12 分 30 秒 · 1 小时 5 分; "" when unknown."""
    if seconds is None or seconds == "":
        return ""
    total = max(0, round(float(seconds)))
    if total < 60:
        return f"{total} 秒"
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    return f"{minutes} 分 {secs} 秒" if secs else f"{minutes} 分钟"


def format_hours(hours):
    """1.5, 2, 0.25: hours as people write them (no trailing zeros, no exponent); "" when unknown."""
    if hours is None or hours == "":
        return ""
    return f"{Decimal(str(hours)).quantize(Decimal('0.01')).normalize():f}"
