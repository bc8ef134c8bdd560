"""What the popularity numbers mean and how each sort orders by them, in one place for the library,
the search (both backends) and the API (docs/popularity.md).

Pure functions and ORM expressions only: the search documents import this module, so it imports
nothing of the search.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, F, FloatField, Value, When

# The sorts, with the labels every page shows.
SORT_LABELS = {
    "popular": "最多观看",
    "completion": "完成率最高",
    "rating": "评分最高",
}


def completion_rate(completions, viewers):
    """Completions per viewer, 0 without viewers (and never above 1: a credit without a progress
    row, left by a deleted course, must not make a rate of 120 %)."""
    return min(1.0, completions / viewers) if viewers else 0.0


def completion_key(viewers, rate):
    """What 完成率最高 sorts by: the rate from POPULARITY_MIN_VIEWERS viewers on, -1 below (those courses
    come after, by viewers then newest)."""
    return float(rate) if viewers >= settings.POPULARITY_MIN_VIEWERS else -1.0


def rating_score(count, total):
    """What 评分最高 sorts by: the damped (Bayesian) average (total + m·C) / (count + m), m and C from the
    settings; 0 for a course nobody rated, so that it comes after every rated one."""
    if not count:
        return 0.0
    weight = settings.POPULARITY_RATING_PRIOR_WEIGHT
    return (total + weight * settings.POPULARITY_RATING_PRIOR_MEAN) / (count + weight)


def rating_average(count, total):
    return round(total / count, 2) if count else None


@dataclass
class Numbers:
    """A resource's numbers as a row shows them: a ResourceStats or the search index's copy
    (the templates and the APIs read either)."""

    views: int = 0
    viewers: int = 0
    completions: int = 0
    completion_rate: float = 0.0
    rating_count: int = 0
    rating_average: float | None = None

    @classmethod
    def of(cls, row):
        """From a ResourceStats, an IndexEntry or anything with those attributes (None: zeros)."""
        if row is None or row == "":
            return cls()
        return cls(
            views=getattr(row, "views", None) or getattr(row, "popularity", 0) or 0,
            viewers=row.viewers or 0,
            completions=row.completions or 0,
            completion_rate=row.completion_rate or 0.0,
            rating_count=row.rating_count or 0,
            rating_average=row.rating_average,
        )

    @property
    def shows_completion_rate(self):
        return self.viewers >= settings.POPULARITY_MIN_VIEWERS

    def as_json(self):
        return {
            "views": self.views,
            "viewers": self.viewers,
            "completions": self.completions,
            # Below the minimum of viewers the rate says nothing about the course: null, as on the pages.
            "completion_rate": round(self.completion_rate, 4) if self.shows_completion_rate else None,
            "rating_average": self.rating_average,
            "rating_count": self.rating_count,
        }


# -- ordering querysets (the library, the open API) -------------------------------------------


def order_by(sort, prefix="stats__"):
    """The ORM ordering of a sort, for a queryset of resource pages (`prefix`: the path from the
    queryset's model to its ResourceStats, "stats__" from ResourcePage, "resourcepage__stats__" from
    Page). Resources without a stats row sort after every resource that has one; ties: newest first."""
    newest = [F("first_published_at").desc(nulls_last=True), F("pk").desc()]
    if sort == "popular":
        return [
            F(f"{prefix}viewers").desc(nulls_last=True),
            F(f"{prefix}views").desc(nulls_last=True),
            *newest,
        ]
    if sort == "completion":
        # The stored key of the search index, computed here with the current setting.
        key = Case(
            When(**{f"{prefix}viewers__gte": settings.POPULARITY_MIN_VIEWERS}, then=F(f"{prefix}completion_rate")),
            default=Value(-1.0),
            output_field=FloatField(),
        )
        return [key.desc(), F(f"{prefix}viewers").desc(nulls_last=True), *newest]
    if sort == "rating":
        return [
            F(f"{prefix}rating_score").desc(nulls_last=True),
            F(f"{prefix}rating_count").desc(nulls_last=True),
            *newest,
        ]
    raise ValueError(f"unknown popularity sort {sort!r}")
