"""The application form (报名表) on a program page, and the decline reason of 学员管理.

The form is filled from the counselor's profile; they may correct their name, school, phone and
e-mail for this program. The province is the profile's and is not in the form: it decides who may
apply to a program limited to provinces, so it is changed in the profile, not here."""

from django import forms

from accounts.phone import display, normalise

from .enrolment import MAX_NOTE_LENGTH, MAX_REASON_LENGTH


class TextField(forms.CharField):
    """Line breaks as one character each: browsers send \\r\\n but count one in maxlength."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


def _too_long(label):
    return {
        "max_length": f"{label}最多 %(limit_value)d 字（现在 %(show_value)d 字），请删减后再提交。",
        "null_characters_not_allowed": f"{label}中含有不允许的字符。",
    }


class EnrolmentForm(forms.Form):
    name = forms.CharField(
        label="姓名", max_length=50, error_messages={"required": "请填写姓名。", **_too_long("姓名")}
    )
    school = forms.CharField(label="学校", max_length=100, required=False, error_messages=_too_long("学校"))
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        required=False,
        help_text="中国大陆手机号码，便于主办中心联系您。",
        error_messages=_too_long("手机号"),
    )
    email = forms.EmailField(
        label="电子邮箱",
        max_length=254,
        required=False,
        help_text="录取、候补递补等通知发到这个邮箱。",
        error_messages={"invalid": "请输入有效的电子邮箱地址。", **_too_long("电子邮箱")},
    )
    note = TextField(
        label="报名说明",
        max_length=MAX_NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"选填，最多 {MAX_NOTE_LENGTH} 字，例如工作年限、希望交流的问题。",
        error_messages=_too_long("报名说明"),
    )

    FIELDS = ("name", "school", "phone", "email", "note")

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return normalise(value) if value else ""

    def first_error(self):
        for field in self.FIELDS:
            if field in self.errors:
                return field, self.errors[field][0]
        return "", next(iter(self.non_field_errors()), "")


def initial_from_profile(user):
    """What the form shows before the counselor types: their profile and account."""
    profile = getattr(user, "counselor_profile", None)
    return {
        "name": (profile.name if profile else "") or user.get_full_name(),
        "school": profile.school if profile else "",
        "phone": display(profile.phone) if profile and profile.phone else "",
        "email": user.email,
        "note": "",
    }


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="未录取原因",
        max_length=MAX_REASON_LENGTH,
        error_messages={"required": "请填写未录取的原因，它会告知报名人。", **_too_long("未录取原因")},
    )
