"""A series' search document holds the titles of its live, public courses (CourseSeriesPage.search_body):
when one of them stops being public or changes, the series holding it are indexed again, in the same
transaction (search/holders.py, as for coursepackages' packages)."""

from search.holders import connect_holders


def register_signal_handlers():
    connect_holders("microcourses", "microcourses.SeriesItem", "course", ["microcourses.MicroCoursePage"])
