"""A copy of everything the site holds about a person (个人信息保护法, the right to a copy).

Other apps add what they hold through settings.ACCOUNTS_PERSONAL_DATA_EXPORTERS: dotted paths of
functions taking the user and returning something JSON can hold (dates and times are written as ISO
strings). Each one's output is under its dotted path in the file, so that two apps cannot overwrite
each other.
"""

from allauth.account.models import EmailAddress
from axes.models import AccessLog

from django.conf import settings
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


def erase(user):
    """Delete the account and what cascades from it (profile, e-mail addresses, and every app's rows
    that reference the user), and the sign-in log kept under its user name: a later account given the
    same name must not inherit this one's known addresses (hub.security.known_address)."""
    AccessLog.objects.filter(username=user.get_username()).delete()
    user.delete()
