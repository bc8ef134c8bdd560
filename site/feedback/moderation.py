"""Whose feedback a user sees and moderates in the admin (docs/feedback.md, docs/permissions.md).

A course belongs to the center whose section holds it in the page tree, as everywhere in the admin's
scoping. A center's editors and reviewers see the ratings and comments of their centers' courses;
its reviewers approve or reject the comments; platform administrators see and moderate every
center's. Nobody else sees anything, and nobody sees another center's pending comments."""

import hashlib

from django.db.models import Count, Q

from editorial import roles
from learning.analytics import center_of_path, sections_of
from resources.signals import public_content_changed

from .models import CourseRating

Status = CourseRating.CommentStatus
MODERATED = (Status.PENDING, Status.APPROVED, Status.REJECTED)


def under(sections, prefix="course__"):
    """Rows whose course lies strictly below one of the sections ((path, depth, name) triples)."""
    condition = Q(pk__in=[])
    for path, depth, _name in sections:
        condition |= Q(**{f"{prefix}path__startswith": path, f"{prefix}depth__gt": depth})
    return condition


class Scope:
    """The ratings a user may see in the admin, and which of them they may moderate."""

    def __init__(self, user, center_id=None):
        self.user = user
        self.everything = roles.is_platform_admin(user)
        visible = None if self.everything else roles.center_ids_for(user)
        self.all_sections = sections_of(visible)
        self.sections = {k: v for k, v in self.all_sections.items() if center_id is None or k == center_id}
        if not self.sections:
            self.sections, center_id = self.all_sections, None  # an unknown or foreign center: ignored
        self.center_id = center_id
        self.reviews = frozenset() if self.everything else roles.center_ids_for(user, roles.REVIEWER)
        self.center_of = center_of_path(self.all_sections)

    def ratings(self):
        ratings = CourseRating.objects.all()
        if self.everything and self.center_id is None:
            return ratings  # courses outside any center's section included
        return ratings.filter(under(self.sections.values()))

    def courses(self):
        from microcourses.models import MicroCoursePage

        courses = MicroCoursePage.objects.all()
        if self.everything and self.center_id is None:
            return courses
        return courses.filter(under(self.sections.values(), prefix=""))

    def may_moderate(self, course_path):
        return self.everything or self.center_of(course_path) in self.reviews

    @property
    def moderates_anything(self):
        return self.everything or bool(self.reviews)

    def pending_to_moderate(self):
        """How many comments wait for this user's decision (the admin menu's count)."""
        if self.everything:
            return CourseRating.objects.filter(comment_status=Status.PENDING).count()
        sections = [self.all_sections[pk] for pk in self.reviews if pk in self.all_sections]
        if not sections:
            return 0
        return CourseRating.objects.filter(under(sections), comment_status=Status.PENDING).count()

    def status_counts(self, ratings):
        return ratings.aggregate(**{status: Count("pk", filter=Q(comment_status=status)) for status in MODERATED})


def digest(text):
    """A short fingerprint of a comment's text: a decision applies to the text the moderator read."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def token(rating):
    return f"{rating.pk}:{digest(rating.comment)}"


def parse_token(value):
    """'id:digest' -> (id, digest), or None."""
    pk, _, fingerprint = str(value).partition(":")
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 18 or len(fingerprint) != 16:
        return None
    return int(pk), fingerprint


def decide(rating, status, user, now):
    """Record a moderator's decision on `rating` (as this request read it) if its text is still the one
    read: one conditional UPDATE, so that the author's change saved in the meantime is neither
    overwritten with the old text nor approved unread. False when the text changed (or the rating went).
    The score is untouched, so the popularity numbers need no recount."""
    updated = CourseRating.objects.filter(pk=rating.pk, comment=rating.comment).update(
        comment_status=status, moderated_by=user, moderated_at=now, updated_at=now
    )
    if updated:
        rating.moderate(status, user, now)
        public_content_changed.send(sender=CourseRating, page_id=rating.course_id)
    return bool(updated)
