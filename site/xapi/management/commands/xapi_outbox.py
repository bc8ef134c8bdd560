"""The outbox of xAPI statements for operators (docs/xapi.md#operations).

manage.py xapi_outbox                     counts: pending, due, sent, failed, and the last error
manage.py xapi_outbox --send              send what is due now (what the worker does every minute)
manage.py xapi_outbox --retry-failed      give the statements the LRS refused another XAPI_MAX_ATTEMPTS
manage.py xapi_outbox --resend-since 2026-11-01
                                          send again what was sent since that day (an LRS restored from
                                          a backup); the LRS keeps one copy of each statement id
"""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xapi.models import Statement
from xapi.sender import send_due


class Command(BaseCommand):
    help = "Show the xAPI outbox, send it, or send failed or already sent statements again."

    def add_arguments(self, parser):
        parser.add_argument("--send", action="store_true", help="send the due statements now")
        parser.add_argument("--retry-failed", action="store_true", help="make the failed statements pending again")
        parser.add_argument("--resend-since", metavar="YYYY-MM-DD", help="send again what was sent since that day")

    def handle(self, *, send, retry_failed, resend_since, **options):
        now = timezone.now()
        if retry_failed:
            count = Statement.objects.filter(failed_at__isnull=False).update(
                failed_at=None, attempts=0, next_attempt_at=now, last_error=""
            )
            self.stdout.write(f"{count} failed statements are pending again")
        if resend_since:
            try:
                day = datetime.strptime(resend_since, "%Y-%m-%d").date()
            except ValueError:
                raise CommandError("--resend-since takes a day: YYYY-MM-DD") from None
            since = timezone.make_aware(datetime.combine(day, time.min))
            count = Statement.objects.filter(sent_at__gte=since).update(sent_at=None, next_attempt_at=now)
            self.stdout.write(f"{count} statements will be sent again")
        if send:
            self.stdout.write(send_due() or "nothing to send (or LRS_URL is unset)")
        pending = Statement.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
        last = pending.exclude(last_error="").order_by("-next_attempt_at").values_list("last_error", flat=True).first()
        self.stdout.write(
            f"pending {pending.count()} (due now {pending.filter(next_attempt_at__lte=now).count()}), "
            f"sent {Statement.objects.filter(sent_at__isnull=False).count()}, "
            f"failed {Statement.objects.filter(failed_at__isnull=False).count()}"
        )
        if last:
            self.stdout.write(f"last error: {last}")
