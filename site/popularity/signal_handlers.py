"""The events that change a course's numbers (popularity.aggregates). None of them fires on a progress
report: a report writes its rows with SQL of its own (learning.report_sql), and the rows counted here
are made once per counselor and course."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete

from . import aggregates


def on_progress_saved(sender, instance, created, raw=False, **kwargs):
    # A counselor's first session of the course (learning.tracking.start_session): one more viewer.
    if created and not raw:
        aggregates.count_event(instance.course_id, "viewers")


def on_credit_saved(sender, instance, created, raw=False, **kwargs):
    # Learning hours credited: once per counselor and course (a unique constraint), so one completion.
    # A credit whose course was deleted has no page to count for.
    if created and not raw and instance.course_id:
        aggregates.count_event(instance.course_id, "completions")


def on_rating_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        aggregates.recount_ratings(instance.course_id)


def on_account_deleting(sender, instance, **kwargs):
    # The account's progress and credits go with it (a cascade that sends no signal of ours): its
    # courses are counted again once the deletion is committed, not at the next hourly refresh.
    ids = aggregates.courses_of(instance)
    if ids:
        transaction.on_commit(lambda: aggregates.recount_courses(ids))


def register_signal_handlers():
    post_save.connect(on_progress_saved, sender="learning.CourseProgress", dispatch_uid="popularity_progress")
    post_save.connect(on_credit_saved, sender="learning.LearningCredit", dispatch_uid="popularity_credit")
    post_save.connect(on_rating_changed, sender="feedback.CourseRating", dispatch_uid="popularity_rating_saved")
    post_delete.connect(on_rating_changed, sender="feedback.CourseRating", dispatch_uid="popularity_rating_deleted")
    pre_delete.connect(on_account_deleting, sender=settings.AUTH_USER_MODEL, dispatch_uid="popularity_account")
