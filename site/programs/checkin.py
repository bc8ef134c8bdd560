"""Check-in tokens: what a session's QR code holds (docs/programs-attendance.md).

A token is the session's id and a period number (now // PROGRAMS_CHECKIN_SECONDS), signed with the
site's SECRET_KEY under a salt of its own, so it cannot be made or changed without the key, and it
names its session: a code shown for one session checks nobody into another. The organiser's screen
shows the current period's token; a token is accepted during its own period and the next one (a
counselor scanning at the turn of the minute is not refused), never after, never before.

A second, short-lived confirmation is signed for the counselor who opened a valid code: it lets the
confirm page's 签到 button work for two periods after it was shown, whatever the code did meanwhile.
"""

import datetime
import time

from django.conf import settings
from django.core import signing
from django.utils import timezone

SALT = "programs.checkin"
CONFIRM_SALT = "programs.checkin.confirm"

VALID, EXPIRED, INVALID = "valid", "expired", "invalid"
EARLY, OPEN, OVER = "early", "open", "over"


def period_of(now=None):
    """The number of the check-in period `now` (seconds since the epoch) falls in."""
    return int((time.time() if now is None else now) // settings.PROGRAMS_CHECKIN_SECONDS)


def seconds_left(now=None):
    """Seconds until the current period ends (the screen shows its next code then)."""
    now = time.time() if now is None else now
    length = settings.PROGRAMS_CHECKIN_SECONDS
    return max(1, int((period_of(now) + 1) * length - now + 0.999))


def make_token(session_id, now=None):
    # A short value (digits, a dot, the signature) keeps the QR code sparse enough for old phones.
    return signing.Signer(salt=SALT).sign(f"{int(session_id)}.{period_of(now)}")


def read_token(token, now=None):
    """(state, session_id): VALID with the session's id; EXPIRED with it (a genuine code, too old);
    INVALID with None (tampered with, truncated, made up, or from a future period)."""
    try:
        value = signing.Signer(salt=SALT).unsign(str(token)[:200])
        session_part, period_part = value.split(".")
        session_id, period = int(session_part), int(period_part)
    except (signing.BadSignature, ValueError):
        return INVALID, None
    age = period_of(now) - period
    if age < 0:
        return INVALID, None  # only a clock far ahead could have made it
    if age > 1:
        return EXPIRED, session_id
    return VALID, session_id


def make_confirmation(session_id, user_id):
    return signing.dumps([int(session_id), int(user_id)], salt=CONFIRM_SALT)


def confirmation_valid(value, session_id, user_id):
    """True when `value` was made by make_confirmation for this session and user at most two periods ago."""
    if not value or len(value) > 200:
        return False
    try:
        data = signing.loads(value, salt=CONFIRM_SALT, max_age=2 * settings.PROGRAMS_CHECKIN_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return False
    return data == [int(session_id), int(user_id)]


def window(session):
    """(opens, closes): when a session's QR check-in is accepted, PROGRAMS_CHECKIN_MARGIN_MINUTES around
    its own time. A code photographed in the room and sent on works for two minutes at most, and
    never on another day; attendance outside the window is marked by hand by the organiser."""
    margin = datetime.timedelta(minutes=settings.PROGRAMS_CHECKIN_MARGIN_MINUTES)
    return session.starts_at - margin, session.ends_at + margin


def window_state(session, now=None):
    opens, closes = window(session)
    now = now or timezone.now()
    if now < opens:
        return EARLY
    return OPEN if now <= closes else OVER
