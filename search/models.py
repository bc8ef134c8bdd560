import secrets

from django.db import models


class IndexEntry(models.Model):
    """One searchable resource in the database backend. Always kept, even when Elasticsearch
    serves the queries, so that a fallback to the database finds the same things.

    The *_words columns hold jieba-segmented words joined by spaces. The character bigrams are not
    stored: SQLite's full-text index takes them from `hub_bigrams(title, keyword_text, text)` (a
    function of the text alone, registered on every connection), PostgreSQL's tsvector from the
    document. Full-text matching runs on an engine-specific index over these columns (created in
    migration 0002): an FTS5 table kept in step by triggers on SQLite, a tsvector column on
    PostgreSQL. A row exists only while its page is live and public; deleting the page deletes it.
    """

    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+")
    slug = models.SlugField(max_length=255, allow_unicode=True)
    kind = models.CharField(max_length=20)
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    text = models.TextField(blank=True)  # plain text for snippets
    date = models.DateTimeField(null=True)
    popularity = models.PositiveIntegerField(default=0)  # page views
    # Copies of the course's ResourceStats (popularity.aggregates writes both in one transaction), and
    # the sort keys of 完成率最高 and 评分最高 (popularity.scores), so that those sorts walk an index.
    viewers = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    completion_rate = models.FloatField(default=0)
    completion_key = models.FloatField(default=-1)
    rating_count = models.PositiveIntegerField(default=0)
    rating_average = models.FloatField(null=True)
    rating_score = models.FloatField(default=0)
    facets = models.JSONField(default=dict)
    title_words = models.TextField(blank=True)
    keywords = models.TextField(blank=True)
    keyword_text = models.TextField(blank=True)  # the keywords as written (for the bigrams)
    summary_words = models.TextField(blank=True)
    body_words = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "搜索索引条目"
        # Covering index: a search reads these columns for every matching row, without touching
        # the wide text of the row (on SQLite, the text would be read through overflow pages).
        indexes = [
            models.Index(
                fields=["page", "date", "popularity", "viewers", "completion_key", "rating_score", "rating_count"],
                name="search_entry_sort_keys",
            ),
            # Each popularity sort walks its order instead of sorting every match (DatabaseBackend._by_stats).
            models.Index(fields=["-viewers", "-popularity", "-date", "-page"], name="search_entry_viewers"),
            models.Index(fields=["-completion_key", "-viewers", "-date", "-page"], name="search_entry_completion"),
            models.Index(fields=["-rating_score", "-rating_count", "-date", "-page"], name="search_entry_rating"),
        ]
        verbose_name_plural = "搜索索引"

    def __str__(self):
        return self.title


class PendingChange(models.Model):
    """A change Elasticsearch has not received yet. Written in the same transaction as the
    change itself and deleted once the cluster has it, so an outage loses nothing and never
    blocks publishing: the queue is applied when the cluster is back."""

    class Action(models.TextChoices):
        INDEX = "index", "更新"
        DELETE = "delete", "删除"

    page_id = models.PositiveBigIntegerField(unique=True)  # not a foreign key: deleted pages stay queued
    action = models.CharField(max_length=10, choices=Action.choices)
    queued_at = models.DateTimeField(auto_now=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = "待同步的索引变更"
        verbose_name_plural = "待同步的索引变更"

    def __str__(self):
        return f"{self.action} {self.page_id}"


class IndexVersion(models.Model):
    """A number that changes with every write to the database index (one row). Each process keeps
    facet bitmaps and date order per version (search.backends.snapshot) and reads them again
    when it moves: a read of one row per search, where counting the index would scan it."""

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "搜索索引版本"
        verbose_name_plural = "搜索索引版本"

    def __str__(self):
        return str(self.number)

    @classmethod
    def bump(cls):
        """In the writer's transaction: readers see the new number with the new rows. A random
        number, not a counter: after a rolled-back write or a restored backup, a counter could
        come back to a number a process has already seen with other rows."""
        number = secrets.randbits(62)
        if not cls.objects.filter(pk=1).update(number=number):  # the row comes with migration 0006
            cls.objects.update_or_create(pk=1, defaults={"number": number})

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).values_list("number", flat=True).first() or 0


class RebuildState(models.Model):
    """A rebuild of the database index in progress (at most one row). The new index is written
    beside the one that answers searches (`search_indexentry_next`), batch by batch in page id
    order, and replaces it in one short transaction at the end; an interrupted rebuild resumes
    after `last_id`."""

    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # every batch: a rebuild still running is recent
    fingerprint = models.CharField(max_length=64, blank=True)  # of the code that wrote the new index
    last_id = models.PositiveBigIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "进行中的索引重建"
        verbose_name_plural = "进行中的索引重建"

    def __str__(self):
        return f"{self.done}/{self.total}"


class RebuildChange(models.Model):
    """A page changed while a rebuild was running: the new index takes its latest state just
    before it replaces the old one."""

    page_id = models.PositiveBigIntegerField(primary_key=True)

    class Meta:
        verbose_name = "重建期间的页面变更"
        verbose_name_plural = "重建期间的页面变更"

    def __str__(self):
        return str(self.page_id)
