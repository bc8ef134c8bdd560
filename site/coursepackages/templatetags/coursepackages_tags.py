"""The counselor's packages and favourites, read once per request for every 加入套餐 / 收藏 button on a
page: a listing of 12 or 20 rows runs the same queries (tests/test_coursepackages.py)."""

from dataclasses import dataclass, field

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from ..models import Favourite, PersonalPackage, PersonalPackageItem

register = template.Library()


@dataclass
class State:
    packages: list = field(default_factory=list)  # (id, title), the one used last first
    packaged: set = field(default_factory=set)  # page ids in any of the counselor's packages
    favourites: set = field(default_factory=set)


def state_for(request):
    cached = getattr(request, "_coursepackages_state", None)
    if cached is not None:
        return cached
    state = State()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        packages = PersonalPackage.objects.filter(user=user).order_by("-used_at", "-pk")
        state.packages = list(packages.values_list("pk", "title"))
        if state.packages:
            items = PersonalPackageItem.objects.filter(package__user=user)
            state.packaged = set(items.values_list("target_id", flat=True))
        state.favourites = set(Favourite.objects.filter(user=user).values_list("target_id", flat=True))
    request._coursepackages_state = state
    return state


@register.simple_tag(takes_context=True)
def package_state(context):
    request = context.get("request")
    return state_for(request) if request is not None else State()


@register.simple_tag(takes_context=True)
def package_stylesheet(context):
    """The app's stylesheet, linked once per page from the first include that needs it."""
    request = context.get("request")
    if request is None or getattr(request, "_coursepackages_css", False):
        return ""
    request._coursepackages_css = True
    return format_html('<link rel="stylesheet" href="{}">', static("coursepackages/coursepackages.css"))


@register.filter
def package_kind(page):
    """ "microcourse" or "series" for the pages a package takes, else ""."""
    name = type(page)._meta.label
    return {"microcourses.MicroCoursePage": "microcourse", "microcourses.CourseSeriesPage": "series"}.get(name, "")


@register.filter
def item_name(entry, number):
    """What a button of a package's item names: its title, or its number when it went offline (the title
    of a page the public can no longer see is never shown)."""
    return entry.title if entry.available else f"第 {number} 项（已下线）"
