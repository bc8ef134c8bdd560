"""Row ids from outside: the `<id:…>` path converter and `parse_id()` for forms and query strings.

Keys are 64-bit (BigAutoField, and Wagtail's pages). A longer number names no row, but SQLite raises on
it instead of finding nothing, so every id is bounded here, once, before a query sees it."""

from django.http import Http404
from django.urls import re_path, register_converter

MAX_ID = 2**63 - 1


def parse_id(value):
    """The id in `value` (a string or a number), or None if it is not one: empty, not a whole number in
    ASCII digits, zero or less, or past the databases' integers."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and 0 < len(value) <= 19 and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


class IdConverter:
    """`<id:name>`: 1 to 19 digits naming a possible row; anything else is no address (a 404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # the pattern does not match: Django tries the next one, then 404s
        return number

    def to_url(self, value):
        return str(value)


def not_found(request, *args, **kwargs):
    raise Http404


def nothing_else(regex):
    """After a route of ours that takes the place of a library's (Wagtail's `<int:…>` or `(\\d+)`): every
    other address `regex` matches is a 404. Without it a number `<id:…>` refuses (padded with zeros to 20
    digits, past 2**63−1, in full-width digits) falls through to the library's own view, which lacks our
    checks (the page-password lockout, the file gate, the usage pages' scoping)."""
    return re_path(regex, not_found)


# Imported by every URLconf that uses <id:…>; a module runs once, so this registers once.
register_converter(IdConverter, "id")
