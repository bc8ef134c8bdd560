"""allauth's account adapter: phone numbers live on CounselorProfile (mainland numbers only), codes go
through the pluggable SMS sender, and every account gets its profile at sign-up.

A number belongs to an account only once confirmed by a code. Until then it is a claim: anyone can type
someone else's number, so an unconfirmed claim finds no account (sign-in, codes, "already taken"), does
not stop the number's owner from signing up with it, and is cleared when someone confirms the number.
"""

from allauth.account.adapter import DefaultAccountAdapter

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import phone as phones
from . import sms
from .models import CounselorProfile


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            CounselorProfile.objects.get_or_create(user=user)
        return user

    # -- phone numbers --------------------------------------------------------------------------------
    def phone_form_field(self, **kwargs):
        return phones.MainlandPhoneField(**kwargs)

    def clean_phone(self, phone):
        return phones.normalise(phone)

    def get_phone(self, user):
        profile = CounselorProfile.objects.filter(user_id=user.pk).exclude(phone="").first()
        return (profile.phone, profile.phone_verified) if profile else None

    @transaction.atomic
    def set_phone(self, user, phone, verified):
        phone = phones.normalise(phone)
        if verified:
            release_unconfirmed_claims(phone, keep_user_id=user.pk)
        profile, _created = CounselorProfile.objects.get_or_create(user=user)
        profile.phone = phone
        profile.phone_verified = verified
        profile.phone_set_at = timezone.now()
        profile.save(update_fields=["phone", "phone_verified", "phone_set_at", "updated_at"])

    @transaction.atomic
    def set_phone_verified(self, user, phone):
        phone = phones.normalise(phone)
        release_unconfirmed_claims(phone, keep_user_id=user.pk)
        CounselorProfile.objects.filter(user_id=user.pk, phone=phone).update(phone_verified=True)

    def get_user_by_phone(self, phone):
        # The sign-in form passes the number as typed (138 1234 5678): the same account as +8613812345678.
        phone = phones.normalise_or_none(phone)
        if phone is None:
            return None
        # Confirmed numbers only (the module's docstring): at most one (the model's constraint).
        return (
            get_user_model()
            .objects.filter(counselor_profile__phone=phone, counselor_profile__phone_verified=True)
            .first()
        )

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        if kwargs.get("reauthentication"):
            purpose = "reauthenticate"
        elif "reauthentication" in kwargs:
            # Only the sign-in-by-code flow passes this argument.
            purpose = "login"
        else:
            purpose = "verify"
        sms.send_code(phones.normalise(phone), code, purpose)

    def send_account_already_exists_sms(self, phone):
        # Someone signed up with a confirmed number: allauth shows them "code sent" either way (so the page
        # does not tell who has an account); the owner gets a message saying an account exists, the
        # counterpart of allauth's "account already exists" mail. allauth's default sends nothing.
        sms.send_code(phones.normalise(phone), "", "exists")


def release_unconfirmed_claims(phone, keep_user_id):
    """A number is being confirmed: other accounts' unconfirmed claims on it go (they were mistakes or
    someone else's number), so that the confirmed number has one account."""
    others = CounselorProfile.objects.filter(phone=phone, phone_verified=False).exclude(user_id=keep_user_id)
    others.update(phone="", updated_at=timezone.now())
