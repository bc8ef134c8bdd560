"""Count every course's viewers, completions and ratings again from their rows, now (the worker does it
every POPULARITY_REFRESH_MINUTES; after an upgrade, a restore or a bulk deletion, run it by hand)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from popularity import aggregates
from popularity.models import RefreshRun


class Command(BaseCommand):
    help = "重新统计每门微课的观看人数、完成人数和评分（并更新搜索索引中的副本）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=aggregates.BATCH)

    def handle(self, *, batch_size, **options):
        RefreshRun.objects.update_or_create(pk=1, defaults={"started_at": timezone.now()})
        corrected = aggregates.refresh(batch_size=max(1, min(batch_size, 5000)))
        self.stdout.write(f"已重新统计，更正了 {corrected} 门课程的数据。")
