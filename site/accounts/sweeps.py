"""Housekeeping of accounts, run by `run_worker` (settings.WORKER_SWEEPS).

- `clear_unconfirmed_numbers`: a number typed at sign-up or change and not confirmed by a code within
  ACCOUNTS_UNVERIFIED_PHONE_HOURS is taken off the account. An unconfirmed number no longer blocks its
  owner (accounts.adapter), but it is still someone else's personal data on an account that may not be
  theirs.
- `forget_sms_counts`: the daily SMS cap needs only the last 24 hours (accounts.sms).
- `delete_abandoned_accounts`: sign-up is open and costs nothing, so accounts nobody can be reached
  through would pile up. Deleted: older than ACCOUNTS_UNVERIFIED_DAYS, not signed in for as long, no
  confirmed e-mail address, no confirmed number, no learning data, no staff role or group.
"""

import logging
from datetime import timedelta

from allauth.account.models import EmailAddress

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from learning.models import CourseProgress

from . import personal_data
from .models import CounselorProfile, SmsSent

logger = logging.getLogger(__name__)

# Per sweep run, so that a first run on a large site does not hold the worker for long; the next run
# (a minute later) continues.
BATCH = 200


def clear_unconfirmed_numbers():
    cutoff = timezone.now() - timedelta(hours=settings.ACCOUNTS_UNVERIFIED_PHONE_HOURS)
    stale = CounselorProfile.objects.filter(phone_verified=False).exclude(phone="")
    # Numbers set before phone_set_at existed count from the profile's creation.
    stale = stale.filter(Q(phone_set_at__lt=cutoff) | Q(phone_set_at__isnull=True, created_at__lt=cutoff))
    cleared = stale.update(phone="", phone_set_at=None, updated_at=timezone.now())
    return f"{cleared} unconfirmed phone numbers cleared" if cleared else ""


def forget_sms_counts():
    deleted, _ = SmsSent.objects.filter(sent_at__lt=timezone.now() - timedelta(days=1)).delete()
    return ""  # routine: nothing worth a line in the worker's log


def abandoned_accounts():
    """The accounts `delete_abandoned_accounts` deletes (a queryset, for the sweep and its tests)."""
    cutoff = timezone.now() - timedelta(days=settings.ACCOUNTS_UNVERIFIED_DAYS)
    users = get_user_model().objects
    return (
        users.filter(date_joined__lt=cutoff, is_staff=False, is_superuser=False)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        # Editors and reviewers are in groups; their accounts are managed in the admin.
        .filter(groups__isnull=True, user_permissions__isnull=True)
        .exclude(Exists(EmailAddress.objects.filter(user_id=OuterRef("pk"), verified=True)))
        .exclude(Exists(CounselorProfile.objects.filter(user_id=OuterRef("pk"), phone_verified=True).exclude(phone="")))
        .exclude(Exists(CourseProgress.objects.filter(user_id=OuterRef("pk"))))
    )


def delete_abandoned_accounts():
    deleted = 0
    for user in abandoned_accounts()[:BATCH]:
        try:
            with transaction.atomic():
                personal_data.erase(user, sessions=False)
            deleted += 1
        except Exception:  # one account that cannot be deleted must not stop the others
            logger.exception("could not delete abandoned account %s", user.pk)
    return f"{deleted} abandoned unconfirmed accounts deleted" if deleted else ""
