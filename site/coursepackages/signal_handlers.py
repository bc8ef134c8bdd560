"""A recommended package's search document holds the titles of its live, public items (search_body):
when one of them stops being public or changes, the packages holding it are indexed again, in the same
transaction (search/holders.py, as for microcourses' series)."""

from search.holders import connect_holders


def register_signal_handlers():
    connect_holders(
        "coursepackages",
        "coursepackages.PackageItem",
        "target",
        ["microcourses.MicroCoursePage", "microcourses.CourseSeriesPage"],
    )
