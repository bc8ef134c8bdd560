"""Courses' learning numbers kept in ResourceStats (docs/popularity.md): viewers, completions, their
rate, and the ratings, with the search index's copies.

Incrementally, in the transaction of the event that changes them (signal_handlers): a counselor's
first session of a course (a CourseProgress row, made once), a completion (a LearningCredit row,
made once), a rating saved or deleted. Never on a progress report: those write no such row.
A deleted account takes its progress, credits and ratings with it: its courses are counted again once
the deletion is committed (`recount_courses`, from signal_handlers). `refresh()` counts everything again
from the rows, batch by batch (the worker's sweep, hourly, and `manage.py refresh_popularity`), fixing any
other drift.
"""

from django.db import transaction
from django.db.models import Count, F, Sum

from feedback.models import CourseRating
from learning.models import CourseProgress, LearningCredit
from microcourses.models import MicroCoursePage
from resources.models import ResourceStats
from search import documents, indexing
from search.models import IndexEntry

from .scores import completion_rate, rating_average, rating_score

BATCH = 500
# The numbers this app writes (the views are counted by ResourceStats.record_view).
LEARNING_FIELDS = [
    "viewers",
    "completions",
    "completion_rate",
    "rating_count",
    "rating_sum",
    "rating_average",
    "rating_score",
]
INDEX_FIELDS = [*documents.STATS_FIELDS, "completion_key"]


def learning_values(viewers, completions, ratings, total):
    """Every number of LEARNING_FIELDS from the four counts."""
    return {
        "viewers": viewers,
        "completions": completions,
        "completion_rate": completion_rate(completions, viewers),
        "rating_count": ratings,
        "rating_sum": total,
        "rating_average": rating_average(ratings, total),
        "rating_score": rating_score(ratings, total),
    }


def _sync_index(page_id, values):
    indexing.record_stats({page_id: documents.stats_columns(values)})


def _add_one(page_id, field):
    """`field` + 1 on the page's row, made if missing (two first events at once: one creates it, the
    other finds it and adds)."""
    if ResourceStats.objects.filter(page_id=page_id).update(**{field: F(field) + 1}):
        return
    _, created = ResourceStats.objects.get_or_create(page_id=page_id, defaults={field: 1})
    if not created:
        ResourceStats.objects.filter(page_id=page_id).update(**{field: F(field) + 1})


def count_event(page_id, field):
    """One more viewer or completion of a course, its rate again, and the index's copies."""
    with transaction.atomic():
        _add_one(page_id, field)
        # The row is ours until the commit (the update locked it): the rate follows the counts read here.
        values = ResourceStats.objects.filter(page_id=page_id).values(*LEARNING_FIELDS).get()
        values["completion_rate"] = completion_rate(values["completions"], values["viewers"])
        ResourceStats.objects.filter(page_id=page_id).update(completion_rate=values["completion_rate"])
        _sync_index(page_id, values)


def recount_ratings(course_id):
    """The course's rating count, sum, average and sort score from its rows (one aggregate, one update)."""
    with transaction.atomic():
        # Lock the row before counting: a rating saved meanwhile is counted by its own handler, after ours.
        if not ResourceStats.objects.select_for_update().filter(page_id=course_id).exists():
            if not CourseRating.objects.filter(course_id=course_id).exists():
                return  # nothing to record (and the course may be being deleted)
            # The course's first numbers: make the row, then lock it. Two first ratings at once: the second
            # insert waits for the first one's commit, finds its row, and counts after it (both ratings),
            # instead of writing a count that misses the first one.
            ResourceStats.objects.get_or_create(page_id=course_id)
            ResourceStats.objects.select_for_update().filter(page_id=course_id).exists()
        found = CourseRating.objects.filter(course_id=course_id).aggregate(n=Count("pk"), total=Sum("score"))
        n, total = found["n"], found["total"] or 0
        ResourceStats.objects.filter(page_id=course_id).update(
            rating_count=n,
            rating_sum=total,
            rating_average=rating_average(n, total),
            rating_score=rating_score(n, total),
        )
        values = ResourceStats.objects.filter(page_id=course_id).values(*LEARNING_FIELDS).first()
        if values:
            _sync_index(course_id, values)


# -- counting again ------------------------------------------------------------------------


def _counts(queryset, key):
    return dict(queryset.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n"))


def _differs(old, new):
    for name, value in new.items():
        before = old.get(name)
        if (before is None) != (value is None):
            return True
        if value is not None and abs(float(before) - float(value)) > 1e-9:
            return True
    return False


def refresh_pages(ids):
    """Count these courses' numbers again from their rows; returns how many rows were corrected."""
    with transaction.atomic():
        # Rows locked first (PostgreSQL): an event in flight is then either counted here or added after.
        current = {
            row.pop("page_id"): row
            for row in ResourceStats.objects.select_for_update()
            .filter(page_id__in=ids)
            .values("page_id", *LEARNING_FIELDS)
        }
        viewers = _counts(CourseProgress.objects.filter(course_id__in=ids), "course_id")
        completions = _counts(LearningCredit.objects.filter(course_key__in=ids), "course_key")
        ratings = {
            pk: (n, total)
            for pk, n, total in CourseRating.objects.filter(course_id__in=ids)
            .order_by()
            .values("course_id")
            .annotate(n=Count("pk"), total=Sum("score"))
            .values_list("course_id", "n", "total")
        }
        wanted, stale, missing = {}, [], []
        for pk in ids:
            values = learning_values(viewers.get(pk, 0), completions.get(pk, 0), *ratings.get(pk, (0, 0)))
            wanted[pk] = values
            if pk in current:
                if _differs(current[pk], values):
                    stale.append(ResourceStats(page_id=pk, **values))
            elif values["viewers"] or values["completions"] or values["rating_count"]:
                missing.append(ResourceStats(page_id=pk, **values))
        if stale:
            ResourceStats.objects.bulk_update(stale, LEARNING_FIELDS)
        if missing:
            ResourceStats.objects.bulk_create(missing, ignore_conflicts=True)

        # The index's copies, also when only the settings behind the sort keys changed.
        entries = IndexEntry.objects.filter(page_id__in=ids).values("page_id", *INDEX_FIELDS)
        changes = {}
        for entry in entries:
            pk = entry.pop("page_id")
            columns = documents.stats_columns(wanted[pk])
            if _differs(entry, columns):
                changes[pk] = columns
        indexing.record_stats(changes)
    return len(stale) + len(missing)


def courses_of(user):
    """The ids of the courses whose numbers count this user: progress, credits, ratings."""
    ids = set(CourseProgress.objects.filter(user=user).values_list("course_id", flat=True))
    ids |= set(LearningCredit.objects.filter(user=user, course__isnull=False).values_list("course_id", flat=True))
    ids |= set(CourseRating.objects.filter(user=user).values_list("course_id", flat=True))
    return sorted(ids)


def recount_courses(ids, batch_size=BATCH):
    """These courses counted again from their rows, `batch_size` at a time."""
    for start in range(0, len(ids), batch_size):
        refresh_pages(ids[start : start + batch_size])


def refresh(batch_size=BATCH):
    """Every course counted again, `batch_size` at a time (bounded memory, short transactions)."""
    corrected, after = 0, 0
    while True:
        ids = list(
            MicroCoursePage.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return corrected
        corrected += refresh_pages(ids)
        after = ids[-1]
