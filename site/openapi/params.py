"""Checking the query parameters of the open API: every parameter known, every value bounded, every
mistake answered with a 400 and a Chinese message that says what is allowed."""

import re
from datetime import UTC, datetime, time

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

MAX_VALUES = 20  # values of one parameter (repeated or separated by commas)
MAX_VALUE_LENGTH = 100  # characters of one value (tag names are the longest)
CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


class ParamError(Exception):
    """A bad parameter: its message is the 400's."""


def check_known(request, known):
    unknown = sorted(set(request.GET) - set(known))
    if unknown:
        name = unknown[0][:40]
        raise ParamError(f"不支持的参数“{name}”；可用的参数：{'、'.join(sorted(known))}")


def values(request, name, codes=True):
    """The values of a parameter given repeatedly or separated by commas (empty ones dropped), checked."""
    found = []
    for raw in request.GET.getlist(name):
        found.extend(part.strip() for part in raw.split(","))
    found = list(dict.fromkeys(v for v in found if v))
    if len(found) > MAX_VALUES:
        raise ParamError(f"参数 {name} 最多 {MAX_VALUES} 个值")
    for value in found:
        if len(value) > MAX_VALUE_LENGTH:
            raise ParamError(f"参数 {name} 的值不能超过 {MAX_VALUE_LENGTH} 个字符")
        if codes and not CODE.match(value):
            raise ParamError(f"参数 {name} 的值“{value[:40]}”不是有效的代码（只含字母、数字、- 和 _）")
    return found


def single(request, name, max_length=40):
    raw = request.GET.getlist(name)
    if len(raw) > 1:
        raise ParamError(f"参数 {name} 只能出现一次")
    value = raw[0].strip() if raw else ""
    if len(value) > max_length:
        raise ParamError(f"参数 {name} 不能超过 {max_length} 个字符")
    return value


def integer(request, name, default, maximum, minimum=0):
    value = single(request, name, max_length=12)
    if not value:
        return default
    if not re.fullmatch(r"\d+", value):
        raise ParamError(f"参数 {name} 必须是非负整数")
    number = int(value)
    if number < minimum or number > maximum:
        raise ParamError(f"参数 {name} 必须在 {minimum} 到 {maximum} 之间")
    return number


def choice(request, name, choices, default=""):
    value = single(request, name)
    if not value:
        return default
    if value not in choices:
        raise ParamError(f"参数 {name} 只能是 {'、'.join(choices)} 之一")
    return value


def flag(request, name):
    """`1`/`true` or `0`/`false`; None when absent."""
    value = single(request, name, max_length=5).lower()
    if not value:
        return None
    if value in ("1", "true"):
        return True
    if value in ("0", "false"):
        return False
    raise ParamError(f"参数 {name} 只能是 1 或 0")


def moment(request, name):
    """An ISO 8601 date or date and time; without a zone it is the site's time (Asia/Shanghai)."""
    value = single(request, name, max_length=40)
    if not value:
        return None
    parsed = None
    try:
        parsed = parse_datetime(value.replace(" ", "+", 1) if " " in value else value)
        if parsed is None and (day := parse_date(value)) is not None:
            parsed = datetime.combine(day, time())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ParamError(f"参数 {name} 必须是 ISO 8601 格式的日期或时间，例如 2026-11-01 或 2026-11-01T08:00:00+08:00")
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        # The database compares in UTC: a moment at the calendar's edge (0001-01-01 here, 9999-12-31 west
        # of Greenwich) has no UTC value and would be a server error there.
        parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ParamError(f"参数 {name} 超出可用的日期范围") from None
    return parsed


def page_bounds(request, ids_only=False):
    """(limit, offset) of a listing."""
    most = settings.OPENAPI_IDS_LIMIT if ids_only else settings.OPENAPI_MAX_LIMIT
    limit = integer(request, "limit", settings.OPENAPI_PAGE_SIZE, most, minimum=1)
    offset = integer(request, "offset", 0, settings.OPENAPI_MAX_OFFSET)
    return limit, offset
