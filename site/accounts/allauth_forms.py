"""allauth's other forms (settings.ACCOUNT_FORMS), in the site's Chinese: no ASCII colon after a label
(Django's default label_suffix, which the zh_Hans catalogue leaves as ":"), and the site's words —
电子邮箱, 验证码, 手机号 — where allauth's catalogue says 电子邮件, 代码, 电话. Sign-in and sign-up are
in accounts.forms. allauth's "Code" label is set here rather than in the hub's catalogue, because Wagtail's
rich-text toolbar uses the same msgid for inline code."""

from allauth.account import forms as allauth

EMAIL = "电子邮箱"
CODE = "验证码"


class Chinese:
    """Mixed in before allauth's form: `labels` replaces field labels, and no label gets a colon."""

    labels = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        for name, label in self.labels.items():
            if name in self.fields:
                self.fields[name].label = label


class AddEmailForm(Chinese, allauth.AddEmailForm):
    labels = {"email": EMAIL}


class ChangePasswordForm(Chinese, allauth.ChangePasswordForm):
    labels = {"oldpassword": "当前密码", "password1": "新密码", "password2": "确认新密码"}


class SetPasswordForm(Chinese, allauth.SetPasswordForm):
    labels = {"password1": "密码", "password2": "确认密码"}


class ResetPasswordForm(Chinese, allauth.ResetPasswordForm):
    labels = {"email": EMAIL}


class ResetPasswordKeyForm(Chinese, allauth.ResetPasswordKeyForm):
    labels = {"password1": "新密码", "password2": "确认新密码"}


class RequestLoginCodeForm(Chinese, allauth.RequestLoginCodeForm):
    labels = {"email": EMAIL, "phone": "手机号"}


class ConfirmLoginCodeForm(Chinese, allauth.ConfirmLoginCodeForm):
    labels = {"code": CODE}


class VerifyPhoneForm(Chinese, allauth.VerifyPhoneForm):
    labels = {"code": CODE}


class ConfirmEmailVerificationCodeForm(Chinese, allauth.ConfirmEmailVerificationCodeForm):
    labels = {"code": CODE}


class ConfirmPasswordResetCodeForm(Chinese, allauth.ConfirmPasswordResetCodeForm):
    labels = {"code": CODE}


class ConfirmReauthenticationCodeForm(Chinese, allauth.ConfirmReauthenticationCodeForm):
    labels = {"code": CODE}


class ChangePhoneForm(Chinese, allauth.ChangePhoneForm):
    labels = {"phone": "新手机号"}


class ChangeEmailForm(Chinese, allauth.ChangeEmailForm):
    labels = {"email": EMAIL}


class ReauthenticateForm(Chinese, allauth.ReauthenticateForm):
    labels = {"password": "密码"}
