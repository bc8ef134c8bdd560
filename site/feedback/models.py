"""Counselors' ratings of micro-courses (1–5, changeable) and their optional comments, which the
public sees only after a moderator of the course's center approved them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

MAX_COMMENT_LENGTH = 500


class CourseRating(models.Model):
    class CommentStatus(models.TextChoices):
        NONE = "", "无评论"
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_ratings")
    course = models.ForeignKey("microcourses.MicroCoursePage", on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField("评分", validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField("评论", blank=True, max_length=MAX_COMMENT_LENGTH)
    comment_status = models.CharField(
        "评论状态", max_length=10, choices=CommentStatus.choices, default=CommentStatus.NONE, blank=True
    )
    created_at = models.DateTimeField("评价时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    # When the comment's text was last written: the date shown beside it and the order of the course
    # page's list (updated_at also moves with a changed score or a moderator's decision).
    commented_at = models.DateTimeField("评论时间", null=True, blank=True)

    class Meta:
        verbose_name = "课程评价"
        verbose_name_plural = "课程评价"
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="feedback_one_rating_per_course"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="feedback_score_between_1_and_5"
            ),
        ]
        indexes = [
            models.Index(fields=["course", "comment_status", "-updated_at"], name="feedback_course_comments"),
            models.Index(fields=["course", "comment_status", "-commented_at"], name="feedback_course_newest"),
            # The moderators' queue (and its count on the admin menu): only the few comments waiting.
            models.Index(
                fields=["course", "-commented_at"],
                condition=models.Q(comment_status="pending"),
                name="feedback_pending",
            ),
        ]

    def __str__(self):
        return f"{self.course_id}: {self.score}"

    def set_comment(self, text, now):
        """A new or changed comment waits for a moderator; the same text keeps its decision; no text
        clears it."""
        if text == self.comment and (text or self.comment_status == self.CommentStatus.NONE):
            return False
        self.comment = text
        self.comment_status = self.CommentStatus.PENDING if text else self.CommentStatus.NONE
        self.commented_at = now if text else None
        self.moderated_by = None
        self.moderated_at = None
        return True

    def moderate(self, status, user, now):
        self.comment_status = status
        self.moderated_by = user
        self.moderated_at = now


def author_label(user):
    """How a comment is signed in public and in the admin: the school, never a name, address or number."""
    profile = getattr(user, "counselor_profile", None)
    school = (profile.school or "").strip() if profile is not None else ""
    return f"{school}辅导员" if school else "辅导员"
