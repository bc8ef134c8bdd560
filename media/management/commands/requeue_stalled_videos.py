"""Queue again the transcodes whose worker died (for cron, beside workers that do not sweep)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Queue again transcodes that stopped reporting progress (their worker died) and lost jobs."

    def handle(self, **options):
        from media.pipeline import requeue_stalled

        requeued = requeue_stalled()
        self.stdout.write(
            f"queued again: {len(requeued)}" + (f" ({', '.join(map(str, requeued))})" if requeued else "")
        )
