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
# QR check-in is accepted from this many minutes before a session starts until as long after it ends
# (programs.checkin.window); outside it, the organiser marks attendance by hand.
PROGRAMS_CHECKIN_MARGIN_MINUTES = _bounded("PROGRAMS_CHECKIN_MARGIN_MINUTES", 60, 0, 1440)
# Days after a program ends during which participants may answer (and change) its survey.
PROGRAMS_SURVEY_DAYS = _bounded("PROGRAMS_SURVEY_DAYS", 14, 1, 365)


# -- the center's year (editorial.yearsummary, docs/year-summary.md) --------------------------------
def _month_day(name, default):
    import datetime

    raw = (os.environ.get(name) or default).strip()
    try:
        month, day = (int(part) for part in raw.split("-"))
        datetime.date(2023, month, day)  # a day every year has (not 02-29)
    except ValueError:
        raise ImproperlyConfigured(f"{name} 应为 MM-DD 格式的日期（现为 {raw!r}）。") from None
    return month, day


# The day of the year by which centers submit their year-end summary (年底工作总结; seed 000: 年底).
EDITORIAL_SUMMARY_DEADLINE = _month_day("EDITORIAL_SUMMARY_DEADLINE", "12-31")

# -- survey (质量评估, docs/programs-survey.md) ------------------------------------------------------
# After a program's survey closes, its average satisfaction is shown on the program page only when at
# least this many participants answered (fewer would let readers guess one person's answer).
PROGRAMS_SURVEY_PUBLIC_MIN_RESPONSES = _bounded("PROGRAMS_SURVEY_PUBLIC_MIN_RESPONSES", 5, 5, 10_000)

# -- enrolment (docs/programs-enrolment.md) ----------------------------------------------------------
# The longest waiting list (候补) of one program: applications beyond it are refused with a message.
PROGRAMS_MAX_WAITING = _bounded("PROGRAMS_MAX_WAITING", 500, 0, 100_000)
# Applicants per page of the admin's 学员管理 list.
PROGRAMS_APPLICANTS_PER_PAGE = _bounded("PROGRAMS_APPLICANTS_PER_PAGE", 50, 10, 500)

# -- attendance, completion and certificates (docs/programs-attendance.md) ---------------------------
# How many certificate look-ups (public verification page) one client address may make an hour.
PROGRAMS_VERIFY_PER_HOUR = _bounded("PROGRAMS_VERIFY_PER_HOUR", 60, 1, 100_000)
