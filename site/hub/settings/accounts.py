"""Counselor accounts (django-allauth, the `accounts` app; docs/accounts.md). Star-imported at the end
of base.py, which lists the apps, the middleware and the authentication backend."""

import os

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Every form allauth shows counselors, without ASCII colons and in the site's words (accounts.allauth_forms).
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    **{
        key: f"accounts.allauth_forms.{name}"
        for key, name in {
            "add_email": "AddEmailForm",
            "change_email": "ChangeEmailForm",
            "change_password": "ChangePasswordForm",
            "set_password": "SetPasswordForm",
            "reset_password": "ResetPasswordForm",
            "reset_password_from_key": "ResetPasswordKeyForm",
            "request_login_code": "RequestLoginCodeForm",
            "confirm_login_code": "ConfirmLoginCodeForm",
            "verify_phone": "VerifyPhoneForm",
            "confirm_email_verification_code": "ConfirmEmailVerificationCodeForm",
            "confirm_password_reset_code": "ConfirmPasswordResetCodeForm",
            "confirm_reauthentication_code": "ConfirmReauthenticationCodeForm",
            "change_phone": "ChangePhoneForm",
            "reauthenticate": "ReauthenticateForm",
        }.items()
    },
}
# Sign in with an e-mail address or a mainland mobile number (accounts.phone), with the password or a
# code sent to either. Sign up gives one of the two (accounts.forms.SignupForm asks for at least one,
# which allauth's own check cannot express: hence the silenced warning).
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email", "phone", "password1*", "password2*"]
SILENCED_SYSTEM_CHECKS = ["account.W001"]
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# "optional": a counselor can learn right away; the confirmation mail is still sent at sign-up.
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[高校辅导员培训研修资源库] "
ACCOUNT_SIGNUP_REDIRECT_URL = "/accounts/profile/"
LOGIN_REDIRECT_URL = "/"
# Django's default, named here because pages restricted to signed-in users (Wagtail) send visitors there.
LOGIN_URL = "/accounts/login/"
# allauth's defaults, except the per-address limits: a whole campus (hundreds of counselors) often
# reaches the site through one NAT address, and a training session signs them up together. Per account,
# per e-mail address and per number the defaults stay; the SMS ones are what an attacker would pay with.
# The counts live in Django's cache: per process unless CACHES is shared (docs/accounts.md).
ACCOUNT_RATE_LIMITS = {
    "login": "120/m/ip",
    "login_failed": "30/m/ip,5/300s/key",
    "signup": "60/m/ip",
    "request_login_code": "30/m/ip,3/m/key",
    "reset_password": "30/m/ip,5/m/key",
    "verify_phone": "1/30s/key,10/m/ip",
}

# Where verification codes go by SMS (accounts.sms): a class with send(phone, code, purpose). The default
# writes them to the log, which is enough on one machine and sends nothing.
ACCOUNTS_SMS_SENDER = os.environ.get("ACCOUNTS_SMS_SENDER", "accounts.sms.LogSender")
# At most this many messages to one number in 24 hours (counted in the database: accounts.models.SmsSent),
# on top of allauth's one per 30 s: that alone allows thousands a day to someone else's phone.
ACCOUNTS_SMS_DAILY_LIMIT = int(os.environ.get("ACCOUNTS_SMS_DAILY_LIMIT", "10"))
# A number claimed at sign-up or change and not confirmed within this many hours is cleared from the
# account (accounts.sweeps): a claim must not hold someone else's number for long.
ACCOUNTS_UNVERIFIED_PHONE_HOURS = int(os.environ.get("ACCOUNTS_UNVERIFIED_PHONE_HOURS", "24"))
# Accounts older than this many days with neither a confirmed e-mail address nor a confirmed number, no
# learning data and no staff role are deleted (accounts.sweeps): sign-ups nobody can be reached through.
ACCOUNTS_UNVERIFIED_DAYS = int(os.environ.get("ACCOUNTS_UNVERIFIED_DAYS", "30"))
# Functions (dotted paths) that take a user and return what their app holds of them, for the copy of
# one's data at /accounts/data/ (accounts.personal_data). Apps append theirs.
ACCOUNTS_PERSONAL_DATA_EXPORTERS = [
    "learning.exports.personal_data",
    "coursepackages.exports.personal_data",
    "feedback.exports.personal_data",
    "xapi.exports.personal_data",
    "programs.exports_enrolment.personal_data",  # applications to programs (docs/programs-enrolment.md)
    "programs.survey.personal_data",  # the participants' survey answers (docs/programs-survey.md)
]
