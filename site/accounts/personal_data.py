"""A copy of everything the site holds about a person (个人信息保护法, the right to a copy).

Other apps add what they hold through settings.ACCOUNTS_PERSONAL_DATA_EXPORTERS: dotted paths of
functions taking the user and returning something JSON can hold (dates and times are written as ISO
strings). Each one's output is under its dotted path in the file, so that two apps cannot overwrite
each other.
"""

from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import CounselorProfile


def personal_data(user):
    profile = CounselorProfile.objects.filter(user_id=user.pk).first()
    data = {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "profile": None,
        "phone": None,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user_id=user.pk).order_by("email")
        ],
        # Successful sign-ins as the brute-force protection keeps them (docs/security.md).
        "logins": [
            {"time": entry.attempt_time, "ip_address": entry.ip_address, "user_agent": entry.user_agent}
            for entry in AccessLog.objects.filter(username=user.get_username()).order_by("attempt_time")
        ],
        # Failed sign-ins the lockout counts against the account (accounts.lockout names it by its user
        # name, whichever address or number was typed): axes keeps the last one per address and browser,
        # and the failure log each one when AXES_ENABLE_ACCESS_FAILURE_LOG is on.
        "failed_sign_ins": failed_sign_ins(user.get_username()),
    }
    if profile is not None:
        data["profile"] = {
            "name": profile.name,
            "school": profile.school,
            "province": profile.province,
            "start_year": profile.start_year,
            "career_stage": profile.career_stage,
            "created_at": profile.created_at,
            "updated_at": profile.updated_at,
        }
        if profile.phone:
            data["phone"] = {"number": profile.phone, "verified": profile.phone_verified}
    for path in settings.ACCOUNTS_PERSONAL_DATA_EXPORTERS:
        data[path] = import_string(path)(user)
    return data


def failed_sign_ins(username):
    rows = [
        {
            "time": a.attempt_time,
            "ip_address": a.ip_address,
            "user_agent": a.user_agent,
            "failures": a.failures_since_start,
        }
        for a in AccessAttempt.objects.filter(username=username)
    ]
    rows += [
        {"time": f.attempt_time, "ip_address": f.ip_address, "user_agent": f.user_agent, "failures": 1}
        for f in AccessFailureLog.objects.filter(username=username)
    ]
    return sorted(rows, key=lambda row: row["time"])


def erase(user, sessions=True):
    """Delete the account and what cascades from it (profile, e-mail addresses, and every app's rows
    that reference the user), what axes keeps under its user name (sign-ins, failed sign-ins: addresses
    and browsers, personal data too; and a later account given the same name must not inherit this one's
    known addresses, hub.security.known_address), and its sessions on other devices.

    `sessions=False` skips the sessions, which means reading every session: the sweep of abandoned
    accounts, not signed in for longer than sessions last, passes it."""
    username = user.get_username()
    AccessLog.objects.filter(username=username).delete()
    AccessAttempt.objects.filter(username=username).delete()
    AccessFailureLog.objects.filter(username=username).delete()
    pk = user.pk
    user.delete()
    if sessions:
        from .tasks import delete_user_sessions

        transaction.on_commit(lambda: delete_user_sessions.enqueue(pk))


def delete_sessions_of(user_pk):
    """Sessions in the database (SESSION_ENGINE's default) store the user's id inside the encoded data:
    each live session is decoded. Deleting an account is rare; the sessions of a deleted user would
    otherwise keep what allauth and the site put there (their number being confirmed, …) until expiry."""
    pk = str(user_pk)
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000)
        if str(session.get_decoded().get(SESSION_KEY)) == pk
    ]
    return Session.objects.filter(pk__in=doomed).delete()[0]
