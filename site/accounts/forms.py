from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ReauthenticateForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context, ratelimit

from django import forms
from django.utils import timezone

from . import sms
from .allauth_forms import EMAIL, Chinese
from .models import FIRST_START_YEAR, CounselorProfile


class LoginForm(Chinese, AllauthLoginForm):
    """allauth's sign-in form (settings.ACCOUNT_FORMS); its field is labelled 登录 ("Login") in Chinese."""

    labels = {"login": "电子邮箱或手机号"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].widget.attrs["autocomplete"] = "username"


class SignupForm(Chinese, AllauthSignupForm):
    """allauth's sign-up form (settings.ACCOUNT_FORMS), with an e-mail address or a mobile number: at
    least one of the two, since it is how the counselor signs in and gets codes."""

    labels = {"email": EMAIL, "phone": "手机号", "password2": "确认密码"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "电子邮箱和手机号至少填写一项，用于登录和找回密码。"
        self.fields["password2"].widget.attrs["placeholder"] = "再次输入密码"

    def clean(self):
        cleaned_data = super().clean()
        given = cleaned_data.get("email") or cleaned_data.get("phone")
        if not given and not self.has_error("email") and not self.has_error("phone"):
            self.add_error("email", "请填写电子邮箱或手机号（至少一项）。")
        if (phone := cleaned_data.get("phone")) and not self.errors:
            self._check_sms_limits(phone)
        return cleaned_data

    def _check_sms_limits(self, phone):
        # allauth creates the account, then sends the code, and only then finds the number over its
        # limit (one SMS every 30 s): the counselor would get an error page and a half-made account.
        # Asked first (without counting), the form says it instead. Whether the number has an account
        # does not change the answer (both send an SMS), so this tells nobody who has one.
        request = context.request
        if request is not None and not ratelimit.consume(request, action="verify_phone", key=phone, dry_run=True):
            self.add_error("phone", "该手机号刚刚收到过短信，请稍等 30 秒后再试。")
        elif sms.daily_limit_reached(phone):
            self.add_error("phone", sms.DAILY_LIMIT_REACHED)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = CounselorProfile
        fields = ["name", "school", "province", "start_year"]
        widgets = {"start_year": forms.NumberInput(attrs={"inputmode": "numeric"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["province"].choices = [("", "请选择")] + self.fields["province"].choices[1:]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["school"].widget.attrs["autocomplete"] = "organization"
        self.fields["start_year"].widget.attrs.update({"min": FIRST_START_YEAR, "max": timezone.localdate().year})


class DeleteAccountForm(ReauthenticateForm):
    """The password again (allauth's check, rate-limited per user) before an account is deleted."""

    confirm = forms.BooleanField(label="我了解注销后账户和全部学习记录将被删除，且无法恢复。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["password"].help_text = ""
        if not self.user.has_usable_password():
            # Signed in by codes only: a fresh code confirmation replaces the password (views.delete_account).
            del self.fields["password"]
