"""The counselor's own pages under /accounts/: the profile, a copy of their data, and deleting the
account. Sign-up, sign-in, e-mail, phone and password pages are allauth's (hub/urls.py)."""

import json
import time

from allauth.account import app_settings as allauth_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.models import EmailAddress

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from . import personal_data
from .forms import DeleteAccountForm, ProfileForm
from .models import CounselorProfile
from .phone import display


def managed_in_admin(user):
    """Editors, reviewers and administrators: their accounts belong to the platform (pages, reviews and
    logs refer to them), so they are managed in the admin, not deleted by their owners."""
    return user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")


@login_required
@never_cache
def profile(request):
    profile, _created = CounselorProfile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "个人资料已保存。")
        return redirect("accounts_profile")
    context = {
        "form": form,
        "profile": profile,
        "phone": display(profile.phone) if profile.phone else "",
        "email_addresses": EmailAddress.objects.filter(user_id=request.user.pk).order_by("-primary", "email"),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@never_cache
def data_export(request):
    data = personal_data.personal_data(request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
    return response


def confirmed_by_code_recently(request):
    """Whether this session signed in, or confirmed itself, with a code within the reauthentication
    timeout: what stands in for the password of an account that has none."""
    horizon = time.time() - allauth_settings.REAUTHENTICATION_TIMEOUT
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "code" and record.get("at", 0) >= horizon for record in records)


@login_required
@never_cache
def delete_account(request):
    user = request.user
    if managed_in_admin(user):
        return render(request, "accounts/delete_refused.html", status=403)
    needs_code = not user.has_usable_password() and not confirmed_by_code_recently(request)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and not needs_code and form.is_valid():
        logout(request)
        with transaction.atomic():
            personal_data.erase(user)
        messages.success(request, "您的账户及全部个人信息已删除。感谢您使用高校辅导员培训研修资源库。")
        return redirect("/")
    return render(request, "accounts/delete.html", {"form": form, "needs_code": needs_code})
