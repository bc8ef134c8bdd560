"""Verification codes by SMS, through a pluggable sender (settings.ACCOUNTS_SMS_SENDER).

A sender is a class whose instances have `send(phone, code, purpose)`:
- `phone`: "+86" and 11 digits;
- `code`: the code to send;
- `purpose`: "verify" (a number being confirmed at sign-up or change), "login" (a sign-in code) or
  "reauthenticate" (confirming it is the owner, e.g. before deleting the account).
Mainland SMS gateways (Aliyun, Tencent Cloud…) send only pre-approved templates with parameters, so a
sender gets the code and the purpose, not a finished text: it picks the template and passes the code.
It raises an exception when the gateway refuses; the request then fails visibly rather than leaving a
counselor waiting for a message that will not come.
"""

import logging
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .phone import display

logger = logging.getLogger(__name__)

PURPOSES = {"verify": "验证手机号", "login": "登录", "reauthenticate": "确认身份"}


class LogSender:
    """Writes the code to the log instead of sending it: enough on one machine (`make run` shows it in
    the console). Nothing reaches the phone: configure a gateway before opening sign-up to counselors."""

    def send(self, phone, code, purpose):
        logger.warning("SMS to %s (%s): verification code %s", display(phone), PURPOSES.get(purpose, purpose), code)


@cache
def _sender(path):
    return import_string(path)()


def get_sender():
    return _sender(settings.ACCOUNTS_SMS_SENDER)


def send_code(phone, code, purpose):
    get_sender().send(phone, code, purpose)
