import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the first administrator if there is none and print its credentials. The password comes "
        "from ADMIN_PASSWORD or is generated once and kept in VAR_DIR/admin-credentials.txt (mode 600)."
    )

    def handle(self, **options):
        User = get_user_model()
        username = os.environ.get("ADMIN_USERNAME", "admin")
        credentials = Path(settings.VAR_DIR) / "admin-credentials.txt"
        user = User.objects.filter(username=username).first()
        if user is None:
            password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email="", password=password)
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.write_text(f"{username}\n{password}\n", encoding="utf-8")
            credentials.chmod(0o600)
        elif credentials.exists():
            password = credentials.read_text(encoding="utf-8").splitlines()[1]
        else:
            password = "(unchanged: set by you earlier)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: {settings.WAGTAILADMIN_BASE_URL}/admin/  user: {username}  password: {password}"
            )
        )
