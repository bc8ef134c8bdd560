"""Which page uses which file, as the page is saved in the database.

For a live page the saved row (and its child rows) is the published version: Wagtail keeps an
unpublished draft in a revision and writes it to the row only when it is published. So a file
listed here for a live page is one the public sees on that page; a draft's new files are not."""

from django.db import models


class FileUse(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", "文档"
        IMAGE = "image", "图片"
        VIDEO = "video", "视频"

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = "文件引用"
        verbose_name_plural = "文件引用"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id", "page"], name="access_one_use_per_page")]

    def __str__(self):
        return f"{self.kind} {self.object_id} ← page {self.page_id}"
