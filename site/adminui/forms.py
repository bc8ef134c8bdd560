from django.utils.translation import gettext_lazy

from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(WagtailLoginForm):
    """Wagtail's login form (WAGTAILADMIN_USER_LOGIN_FORM) with a label on the password field: Wagtail declares
    it without one, so Django shows the field's name, "Password", which no catalogue translates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = gettext_lazy("Password")  # Django's catalogue: 密码
