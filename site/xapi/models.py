"""The outbox of xAPI statements waiting for the Learning Record Store (docs/xapi.md).

A statement is written in the same transaction as the viewing event it describes (learning.tracking), so
that an event the site recorded is never without its statement, and sent later by a task: watching never
waits on the LRS. Its id is fixed when it is written, so sending it again is harmless.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Actor(models.Model):
    """A counselor's pseudonymous name in statements: a random id, stable whatever they change in their
    account, and neither their e-mail address nor their number."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="xapi_actor"
    )
    name = models.UUIDField("xAPI 账户名", default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = "xAPI 学习者"
        verbose_name_plural = "xAPI 学习者"

    def __str__(self):
        return str(self.name)


class Statement(models.Model):
    """One xAPI statement: pending (neither sent_at nor failed_at), sent, or failed (refused by the LRS
    XAPI_MAX_ATTEMPTS times)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xapi_statements")
    # The course's page id: its URL and title become the statement's object when it is first sent (a
    # deleted page keeps its statements, with the id-based fallback of xapi.statements.activity).
    course_id = models.PositiveIntegerField("课程编号")
    verb = models.CharField("动作", max_length=16)
    # The statement as JSON text; the actor and the object are added before its first sending.
    body = models.TextField("语句")
    created_at = models.DateTimeField("产生时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    failed_at = models.DateTimeField("放弃时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送", default=timezone.now)
    last_error = models.CharField("最近错误", max_length=500, blank=True)

    class Meta:
        verbose_name = "xAPI 语句"
        verbose_name_plural = "xAPI 语句"
        indexes = [
            # The per-counselor limit of statements a minute, and their data export.
            models.Index(fields=["user", "created_at"], name="xapi_statement_user_created"),
            # What is due, oldest first; only pending rows are in it.
            models.Index(
                fields=["next_attempt_at", "created_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="xapi_statement_due",
            ),
            # The retention sweep.
            models.Index(fields=["created_at"], name="xapi_statement_created"),
        ]

    def __str__(self):
        return f"{self.verb} · {self.pk}"

    @property
    def state(self):
        if self.sent_at:
            return "sent"
        return "failed" if self.failed_at else "pending"
