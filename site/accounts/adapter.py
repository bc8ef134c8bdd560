"""allauth's account adapter: phone numbers live on CounselorProfile (mainland numbers only), codes go
through the pluggable SMS sender, and every account gets its profile at sign-up."""

from allauth.account.adapter import DefaultAccountAdapter

from django.contrib.auth import get_user_model

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

    def set_phone(self, user, phone, verified):
        profile, _created = CounselorProfile.objects.get_or_create(user=user)
        profile.phone = phones.normalise(phone)
        profile.phone_verified = verified
        profile.save(update_fields=["phone", "phone_verified", "updated_at"])

    def set_phone_verified(self, user, phone):
        CounselorProfile.objects.filter(user_id=user.pk, phone=phones.normalise(phone)).update(phone_verified=True)

    def get_user_by_phone(self, phone):
        # The sign-in form passes the number as typed (138 1234 5678): the same account as +8613812345678.
        phone = phones.normalise_or_none(phone)
        if phone is None:
            return None
        return get_user_model().objects.filter(counselor_profile__phone=phone).first()

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        if kwargs.get("reauthentication"):
            purpose = "reauthenticate"
        elif "reauthentication" in kwargs:
            # Only the sign-in-by-code flow passes this argument.
            purpose = "login"
        else:
            purpose = "verify"
        sms.send_code(phones.normalise(phone), code, purpose)
