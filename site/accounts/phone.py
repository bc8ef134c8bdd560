"""Mainland mobile numbers: the only numbers accounts accept, stored as +86 and 11 digits.

Counselors type numbers as they read them (138 1234 5678, 138-1234-5678, +86 13812345678,
8613812345678); all are the same account, so every way in (sign-up, sign-in, codes, axes' counts)
goes through `normalise`.
"""

import re

from allauth.account.fields import PhoneField

from django.core.exceptions import ValidationError

MOBILE = re.compile(r"1[3-9]\d{9}")
INVALID = "请输入中国大陆手机号码：11 位数字，以 1 开头（如 13812345678）。暂不支持其他国家和地区的号码。"


def normalise(value):
    """'+8613812345678' for any way of writing a mainland mobile number; ValidationError otherwise."""
    digits = re.sub(r"[\s\-()（）]", "", str(value or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not MOBILE.fullmatch(digits):
        raise ValidationError(INVALID, code="invalid_phone")
    return "+86" + digits


def normalise_or_none(value):
    try:
        return normalise(value)
    except ValidationError:
        return None


def display(phone):
    """'138 1234 5678': how counselors read their number."""
    digits = phone.removeprefix("+86")
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}" if len(digits) == 11 else phone


class MainlandPhoneField(PhoneField):
    """allauth's field asks for an international number (+1…); this one takes a mainland number as people
    write it and refuses the others with a message they can act on."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [])
        kwargs.setdefault("label", "手机号")
        kwargs.setdefault("help_text", "中国大陆手机号码，11 位。")
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"placeholder": "13812345678", "inputmode": "tel"})

    def clean(self, value):
        value = super().clean(value)
        return normalise(value) if value else value
