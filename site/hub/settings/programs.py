"""Settings of the programs app (docs/programs.md): training programs, enrolment, check-in,
certificates and surveys. Star-imported by base.py; every value comes from the environment, bounded."""

import os

from django.core.exceptions import ImproperlyConfigured


def _bounded(name, default, low, high):
    raw = os.environ.get(name, str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} 应为整数（现为 {raw!r}）。") from None
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} 应在 {low} 到 {high} 之间（现为 {value}）。")
    return value


# The most seats one program may offer, and the most sessions in its schedule.
PROGRAMS_MAX_CAPACITY = _bounded("PROGRAMS_MAX_CAPACITY", 2000, 1, 100_000)
PROGRAMS_MAX_SESSIONS = _bounded("PROGRAMS_MAX_SESSIONS", 60, 1, 500)
# How long one check-in QR code is shown before the next one replaces it (seconds); a code is
# accepted during its own period and the one after, so a counselor scanning at the turn is not refused.
PROGRAMS_CHECKIN_SECONDS = _bounded("PROGRAMS_CHECKIN_SECONDS", 60, 10, 3600)
# Days after a program ends during which participants may answer (and change) its survey.
PROGRAMS_SURVEY_DAYS = _bounded("PROGRAMS_SURVEY_DAYS", 14, 1, 365)

# -- attendance, completion and certificates (docs/programs-attendance.md) ---------------------------
# How many certificate look-ups (public verification page) one client address may make an hour.
PROGRAMS_VERIFY_PER_HOUR = _bounded("PROGRAMS_VERIFY_PER_HOUR", 60, 1, 100_000)
