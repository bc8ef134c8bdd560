from django.db import models


class RefreshRun(models.Model):
    """When the courses' numbers were last counted again from their rows (one row). In the database, not
    in a process: several workers sweep, and one recount per POPULARITY_REFRESH_MINUTES is enough."""

    started_at = models.DateTimeField("上次重新统计")

    class Meta:
        verbose_name = "热度重新统计"
        verbose_name_plural = "热度重新统计"

    def __str__(self):
        return str(self.started_at)
