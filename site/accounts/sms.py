"""Verification codes by SMS, through a pluggable sender (settings.ACCOUNTS_SMS_SENDER).

A sender is a class whose instances have `send(phone, code, purpose)`:
- `phone`: "+86" and 11 digits;
- `code`: the code to send ("" for "exists", which carries none);
- `purpose`: "verify" (a number being confirmed at sign-up or change), "login" (a sign-in code),
  "reauthenticate" (confirming it is the owner, e.g. before deleting the account) or "exists" (someone
  tried to sign up with a number that already has an account: its owner is told, nobody else learns it).
Mainland SMS gateways (Aliyun, Tencent Cloud…) send only pre-approved templates with parameters, so a
sender gets the code and the purpose, not a finished text: it picks the template and passes the code.
It raises an exception when the gateway refuses; the request then fails visibly rather than leaving a
counselor waiting for a message that will not come.
"""

import logging
from datetime import timedelta
from functools import cache

from allauth.core.exceptions import RateLimited

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import SmsSent
from .phone import display

logger = logging.getLogger(__name__)

PURPOSES = {"verify": "验证手机号", "login": "登录", "reauthenticate": "确认身份", "exists": "账户已存在"}
DAILY_LIMIT_REACHED = "该手机号今天收到的短信已达上限，请明天再试，或使用电子邮箱登录。"


class DailyLimitReached(RateLimited):
    """A number got settings.ACCOUNTS_SMS_DAILY_LIMIT messages in the last 24 hours. A RateLimited, so
    that the accounts middleware answers it like allauth's own limits: the 429 page, with this message."""

    message = DAILY_LIMIT_REACHED


class LogSender:
    """Writes the code to the log instead of sending it: enough on one machine (`make run` shows it in
    the console). Nothing reaches the phone: configure a gateway before opening sign-up to counselors."""

    def send(self, phone, code, purpose):
        if code:
            logger.warning("SMS to %s (%s): verification code %s", display(phone), PURPOSES.get(purpose, purpose), code)
        else:
            logger.warning("SMS to %s (%s)", display(phone), PURPOSES.get(purpose, purpose))


@cache
def _sender(path):
    return import_string(path)()


def get_sender():
    return _sender(settings.ACCOUNTS_SMS_SENDER)


def sent_today(phone):
    return SmsSent.objects.filter(phone=phone, sent_at__gte=timezone.now() - timedelta(days=1)).count()


def daily_limit_reached(phone):
    return sent_today(phone) >= settings.ACCOUNTS_SMS_DAILY_LIMIT


def send_code(phone, code, purpose):
    """Send through the configured sender, unless the number had its day's worth. allauth's limits (one
    message per number every 30 s) still let one number receive thousands a day, each paid for and each
    a nuisance to its owner: the cap bounds both. Counted before sending, so a gateway error still counts
    (the gateway may have sent it)."""
    if daily_limit_reached(phone):
        logger.warning("SMS to %s (%s) refused: daily limit reached", display(phone), purpose)
        raise DailyLimitReached
    SmsSent.objects.create(phone=phone, purpose=purpose)
    get_sender().send(phone, code, purpose)
