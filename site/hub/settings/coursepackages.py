"""Course packages (课程套餐) and favourites (收藏) (docs/packages.md). Star-imported by base.py."""

import os

from django.core.exceptions import ImproperlyConfigured


def _int(name, default, low, high):
    value = int(os.environ.get(name) or default)
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {value}")
    return value


# Personal packages (自主搭配课程套餐) one counselor may keep.
COURSEPACKAGES_MAX_PACKAGES = _int("COURSEPACKAGES_MAX_PACKAGES", 20, 1, 200)
# Courses and series in one personal package.
COURSEPACKAGES_MAX_ITEMS = _int("COURSEPACKAGES_MAX_ITEMS", 100, 1, 1000)
# Courses and series one counselor may keep as favourites (收藏).
COURSEPACKAGES_MAX_FAVOURITES = _int("COURSEPACKAGES_MAX_FAVOURITES", 500, 1, 10000)
