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

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-team",
            action="store_true",
            help="Also create an editor and two reviewers of the first training center (for trying the review "
            "workflow) and a counselor, counselor@example.com (for the public site's accounts); their shared "
            "password is generated once and kept in VAR_DIR/demo-team-credentials.txt.",
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

        if options["demo_team"]:
            self.ensure_demo_team()

    def ensure_demo_team(self):
        from resources.models import TrainingCenter

        center = TrainingCenter.objects.order_by("code").first()
        if center is None or center.editors_group is None:
            self.stdout.write("No training center yet: no demo team.")
            return
        User = get_user_model()
        credentials = Path(settings.VAR_DIR) / "demo-team-credentials.txt"
        if credentials.exists():
            password = credentials.read_text(encoding="utf-8").strip()
        else:
            password = secrets.token_urlsafe(12)
            credentials.write_text(password + "\n", encoding="utf-8")
            credentials.chmod(0o600)
        team = [
            (f"{center.code}-editor", center.editors_group),
            (f"{center.code}-reviewer", center.reviewers_group),
            (f"{center.code}-reviewer2", center.reviewers_group),
        ]
        for username, group in team:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username, f"{username}@example.edu.cn", password)
            user.groups.add(group)
        names = ", ".join(username for username, _group in team)
        self.stdout.write(self.style.SUCCESS(f"Demo team of {center.name}: {names}  password: {password}"))
        self.ensure_demo_counselor(password)

    def ensure_demo_counselor(self, password):
        """A counselor of the public site (no admin access), signed in at /accounts/login/ by e-mail."""
        from allauth.account.models import EmailAddress

        from accounts.models import CounselorProfile

        email = "counselor@example.com"
        User = get_user_model()
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user("counselor", email, password)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            CounselorProfile.objects.create(
                user=user, name="张老师", school="北京师范大学", province="北京", start_year=2022
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo counselor: {settings.WAGTAILADMIN_BASE_URL}/accounts/login/  {email}  password: {password}"
            )
        )
