"""E-mail the editors of centers that are behind before the work plan and upload deadlines.

    manage.py send_deadline_reminders [--today YYYY-MM-DD] [--dry-run]

Safe to run as often as you like (daily from cron, say): each reminder is sent once."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from editorial import progress
from editorial.reminders import send_reminders


def parse_date(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Send the deadline reminders due today to the editors of centers that are behind. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=parse_date, help="act as if today were this date (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be sent; send and record nothing")

    def handle(self, *, today, dry_run, **options):
        today = today or progress.today()
        reminders = send_reminders(today, dry_run=dry_run)
        sent = 0
        for reminder in reminders:
            if dry_run:
                outcome = f"would e-mail {len(reminder.recipients)} editor(s)"
            elif reminder.sent:
                outcome = f"e-mailed {len(reminder.recipients)} editor(s)"
                sent += 1
            elif not reminder.recipients:
                outcome = "not sent: the center has no active editor with an e-mail address"
            else:
                outcome = "not sent (see the log)"
            self.stdout.write(f"{reminder.describe()}: {outcome}")
        summary = f"{today.isoformat()}: {len(reminders)} reminder(s) due, {sent} sent"
        self.stdout.write(self.style.SUCCESS(summary + (" (dry run)" if dry_run else "")))
