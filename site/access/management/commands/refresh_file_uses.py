from django.core.management.base import BaseCommand

from access import names, uses


class Command(BaseCommand):
    help = (
        "Rebuild the table of which page uses which file (the file gate reads it), "
        "and rename uploads still stored under their uploader's file names."
    )

    def handle(self, *args, **options):
        count = uses.refresh_all()
        renamed = names.randomise_stored_names()
        self.stdout.write(f"pages scanned: {count}; files renamed: {renamed}")
