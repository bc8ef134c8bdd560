"""Counselor accounts: sign-up and sign-in by e-mail or mobile number, the profile and its career stage,
no way into the admin, a copy of one's data, deleting the account, and the brute-force lockout on
allauth's form."""

import json
import logging
import re

import pytest
from allauth.account.models import EmailAddress

from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import CounselorProfile, career_stage_for
from accounts.phone import INVALID
from resources.models import CareerStage

from . import factories

PASSWORD = "Tiaoxin-2024-chun"
LOCKED = "尝试次数过多"
NO_ADMIN = "您没有权限访问管理后台"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sms(caplog):
    """The codes the log sender (the default ACCOUNTS_SMS_SENDER) wrote, newest last."""
    caplog.set_level(logging.WARNING, logger="accounts.sms")

    def codes():
        return [m.group(1) for r in caplog.records if (m := re.search(r"verification code (\S+)", r.getMessage()))]

    return codes


@pytest.fixture
def counselor(db):
    user = factories.CounselorFactory(username="zhang", email="zhang@example.edu.cn", password=PASSWORD)
    CounselorProfile.objects.filter(user=user).update(phone="+8613800138000", phone_verified=True)
    return user


def signed_in_user(client):
    response = client.get("/accounts/profile/")
    return response.context["user"] if response.status_code == 200 else None


def login(client, identifier, password, address="203.0.113.5"):
    return client.post("/accounts/login/", {"login": identifier, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
class TestSignUp:
    def test_by_email_through_the_form(self, client, home):
        page = client.get("/accounts/signup/").content.decode()
        assert "电子邮箱" in page and "手机号" in page and 'lang="zh-Hans"' in page
        response = client.post(
            "/accounts/signup/",
            {"email": "Li.Hua@Example.edu.cn", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
        user = signed_in_user(client)
        assert user.email == "li.hua@example.edu.cn"
        assert CounselorProfile.objects.filter(user=user).exists()
        # Verification is optional: signed in at once, and the confirmation mail is on its way.
        assert [m.to for m in mail.outbox] == [["li.hua@example.edu.cn"]]
        assert not EmailAddress.objects.get(user=user).verified

    def test_needs_an_email_address_or_a_number(self, client, db):
        response = client.post("/accounts/signup/", {"password1": PASSWORD, "password2": PASSWORD})
        assert response.status_code == 200
        assert "请填写电子邮箱或手机号（至少一项）" in response.content.decode()

    def test_by_phone_confirms_the_number_with_a_code(self, client, db, sms):
        response = client.post(
            "/accounts/signup/", {"phone": "138 0013 8001", "password1": PASSWORD, "password2": PASSWORD}
        )
        assert response.status_code == 302 and response["Location"] == "/accounts/phone/verify/"
        assert signed_in_user(client) is None  # not before the number is confirmed
        page = client.get("/accounts/phone/verify/")
        assert page.status_code == 200
        response = client.post("/accounts/phone/verify/", {"code": sms()[-1]})
        assert response.status_code == 302
        user = signed_in_user(client)
        profile = CounselorProfile.objects.get(user=user)
        assert (profile.phone, profile.phone_verified) == ("+8613800138001", True)

    @pytest.mark.parametrize("number", ["+1 202 555 0123", "+852 6123 4567", "12345678901", "1380013800"])
    def test_a_number_outside_the_mainland_is_refused(self, client, db, number):
        response = client.post("/accounts/signup/", {"phone": number, "password1": PASSWORD, "password2": PASSWORD})
        assert response.status_code == 200
        page = response.content.decode()
        assert INVALID in page
        # The message is tied to the field for screen readers.
        assert re.search(r'id="id_phone"[^>]*aria-describedby="[^"]*id_phone_error', page) or re.search(
            r'aria-describedby="[^"]*id_phone_error[^"]*"[^>]*id="id_phone"', page
        )
        assert not CounselorProfile.objects.exists()

    def test_a_taken_number_makes_no_second_account(self, client, counselor, sms):
        client.post("/accounts/signup/", {"phone": "13800138000", "password1": PASSWORD, "password2": PASSWORD})
        assert CounselorProfile.objects.filter(phone="+8613800138000").count() == 1


@pytest.mark.django_db
class TestSignIn:
    def test_by_email_and_password(self, client, counselor):
        page = client.get("/accounts/login/").content.decode()
        assert "登录" in page and "忘记密码" in page  # allauth's own Chinese catalogue
        response = login(client, "Zhang@Example.edu.cn", PASSWORD)
        assert response.status_code == 302
        assert signed_in_user(client) == counselor

    def test_by_phone_and_password(self, client, counselor):
        assert login(client, "138-0013-8000", PASSWORD).status_code == 302
        assert signed_in_user(client) == counselor

    def test_by_phone_and_a_code(self, client, counselor, sms):
        response = client.post("/accounts/login/code/", {"phone": "13800138000"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/code/confirm/")
        assert signed_in_user(client) is None
        response = client.post("/accounts/login/code/confirm/", {"code": sms()[-1]})
        assert response.status_code == 302
        assert signed_in_user(client) == counselor

    def test_a_wrong_code_does_not_sign_in(self, client, counselor, sms):
        client.post("/accounts/login/code/", {"phone": "13800138000"})
        response = client.post("/accounts/login/code/confirm/", {"code": "WRONG1"})
        assert response.status_code == 200
        assert signed_in_user(client) is None

    def test_a_wrong_password_is_refused_in_chinese(self, client, counselor):
        response = login(client, "zhang@example.edu.cn", "wrong")
        assert response.status_code == 200
        assert "不正确" in response.content.decode()
        assert signed_in_user(client) is None

    def test_logout_is_post_only(self, client, counselor):
        client.force_login(counselor)
        page = client.get("/accounts/logout/")
        assert page.status_code == 200
        assert signed_in_user(client) == counselor
        assert client.post("/accounts/logout/").status_code == 302
        assert signed_in_user(client) is None

    def test_the_header_offers_sign_in_or_the_account(self, client, counselor, home):
        page = client.get("/").content.decode()
        assert 'href="/accounts/login/"' in page and 'href="/accounts/signup/"' in page
        assert 'href="/me/"' not in page
        client.force_login(counselor)
        page = client.get("/").content.decode()
        assert 'href="/me/">我的学习</a>' in page and 'href="/accounts/profile/">账户</a>' in page
        logout = re.search(r'<form method="post" action="/accounts/logout/">(.*?)</form>', page, re.S)
        assert logout and "csrfmiddlewaretoken" in logout.group(1) and "退出" in logout.group(1)
        assert 'href="/accounts/login/"' not in page


@pytest.mark.django_db
class TestLockout:
    def test_axes_locks_the_account_after_the_limit_on_allauths_form(self, client, counselor, settings):
        for i in range(settings.AXES_FAILURE_LIMIT - 1):
            assert login(client, "zhang@example.edu.cn", "wrong", address=f"198.51.100.{i}").status_code == 200
        # The last failure, by the number rather than the address: the same account's count.
        response = login(client, "13800138000", "wrong", address="198.51.100.99")
        assert response.status_code == 429 and LOCKED in response.content.decode()
        response = login(client, "zhang@example.edu.cn", PASSWORD, address="192.0.2.7")
        assert response.status_code == 429 and LOCKED in response.content.decode()
        assert signed_in_user(client) is None

    def test_allauths_own_rate_limit_is_on(self, client, counselor, settings):
        settings.AXES_ENABLED = False
        for _ in range(5):
            login(client, "zhang@example.edu.cn", "wrong")
        response = login(client, "zhang@example.edu.cn", PASSWORD)
        assert response.status_code == 200 and "登录失败次数过多" in response.content.decode()
        assert signed_in_user(client) is None


@pytest.mark.django_db
class TestProfile:
    def test_edit(self, client, counselor):
        client.force_login(counselor)
        data = {"name": "张晓", "school": "华东师范大学", "province": "上海", "start_year": timezone.now().year - 2}
        response = client.post("/accounts/profile/", data, follow=True)
        assert "个人资料已保存" in response.content.decode()
        assert "新入职" in response.content.decode()
        profile = CounselorProfile.objects.get(user=counselor)
        assert (profile.name, profile.school, profile.province) == ("张晓", "华东师范大学", "上海")
        assert career_stage_for(counselor) == "new"

    @pytest.mark.parametrize(("year", "message"), [(1979, "1980"), (timezone.now().year + 1, "不能晚于今年")])
    def test_the_start_year_is_bounded(self, client, counselor, year, message):
        client.force_login(counselor)
        response = client.post("/accounts/profile/", {"start_year": year})
        assert response.status_code == 200 and message in response.content.decode()
        assert CounselorProfile.objects.get(user=counselor).start_year == 2022

    def test_a_province_outside_the_list_is_refused(self, client, counselor):
        client.force_login(counselor)
        assert client.post("/accounts/profile/", {"province": "台北"}).status_code == 200
        assert CounselorProfile.objects.get(user=counselor).province == "北京"

    @pytest.mark.parametrize(
        ("years", "stage"),
        [(0, "new"), (1, "new"), (3, "new"), (4, "experienced"), (8, "experienced"), (9, "senior"), (30, "senior")],
    )
    def test_the_stage_follows_the_years_in_the_work(self, counselor, years, stage):
        CounselorProfile.objects.filter(user=counselor).update(start_year=timezone.localdate().year - years)
        assert career_stage_for(counselor) == stage
        assert CareerStage.objects.filter(code=stage).exists()

    def test_no_stage_without_a_year_or_an_account(self, counselor, django_user_model):
        CounselorProfile.objects.filter(user=counselor).update(start_year=None)
        assert career_stage_for(counselor) is None
        assert career_stage_for(django_user_model.objects.create_user("editor", "", "pw")) is None
        from django.contrib.auth.models import AnonymousUser

        assert career_stage_for(AnonymousUser()) is None


@pytest.mark.django_db
def test_counselors_never_reach_the_admin(client, counselor):
    client.force_login(counselor)
    response = client.get("/admin/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert NO_ADMIN in page and 'name="password"' in page
    # Nor through the admin's own sign-in form (Wagtail signs them in, then shows the same refusal).
    client.logout()
    response = client.post("/admin/login/", {"username": "zhang", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/") and NO_ADMIN in response.content.decode()
    assert client.get("/admin/pages/").status_code == 302


def learning_exporter(user):
    return {"watched": [{"course": "谈心谈话技巧", "seconds": 300, "user": user.get_username()}]}


@pytest.mark.django_db
def test_the_data_copy_holds_the_profile_and_the_apps_data(client, counselor, settings):
    settings.ACCOUNTS_PERSONAL_DATA_EXPORTERS = ["tests.test_accounts.learning_exporter"]
    client.force_login(counselor)
    response = client.get("/accounts/data/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["name"] == "张老师" and data["profile"]["school"] == "北京师范大学"
    assert data["profile"]["career_stage"] == career_stage_for(counselor)
    assert data["phone"] == {"number": "+8613800138000", "verified": True}
    assert data["email_addresses"] == [{"email": "zhang@example.edu.cn", "verified": True, "primary": True}]
    assert data["account"]["date_joined"]
    assert data["tests.test_accounts.learning_exporter"]["watched"][0]["user"] == "zhang"
    client.logout()
    assert client.get("/accounts/data/").status_code == 302  # to the sign-in page


@pytest.mark.django_db
class TestDeletion:
    def test_a_wrong_password_deletes_nothing(self, client, counselor):
        client.force_login(counselor)
        response = client.post("/accounts/delete/", {"password": "wrong", "confirm": "on"})
        assert response.status_code == 200 and "无效密码" in response.content.decode()
        assert CounselorProfile.objects.filter(user=counselor).exists()
        assert signed_in_user(client) == counselor

    def test_the_password_deletes_the_account_and_everything_with_it(self, client, counselor, home):
        client.force_login(counselor)
        assert "永久注销账户" in client.get("/accounts/delete/").content.decode()
        response = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"}, follow=True)
        assert "您的账户及全部个人信息已删除" in response.content.decode()
        assert not type(counselor).objects.filter(pk=counselor.pk).exists()
        assert not CounselorProfile.objects.exists() and not EmailAddress.objects.exists()
        assert signed_in_user(client) is None
        assert login(client, "zhang@example.edu.cn", PASSWORD).status_code == 200

    def test_without_a_password_a_fresh_code_confirms(self, client, counselor, sms):
        counselor.set_unusable_password()
        counselor.save()
        client.post("/accounts/login/code/", {"phone": "13800138000"})
        client.post("/accounts/login/code/confirm/", {"code": sms()[-1]})
        page = client.get("/accounts/delete/").content.decode()
        assert 'name="password"' not in page and "永久注销账户" in page
        client.post("/accounts/delete/", {"confirm": "on"})
        assert not CounselorProfile.objects.exists()

    def test_without_a_password_an_old_session_must_confirm_by_code(self, client, counselor):
        counselor.set_unusable_password()
        counselor.save()
        client.force_login(counselor)
        page = client.get("/accounts/delete/").content.decode()
        assert "请先用验证码确认" in page
        client.post("/accounts/delete/", {"confirm": "on"})
        assert CounselorProfile.objects.filter(user=counselor).exists()

    def test_staff_are_refused(self, client, django_user_model, people):
        for user in (django_user_model.objects.create_superuser("root", "", PASSWORD), people["editor_a"]):
            client.force_login(user)
            response = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
            assert response.status_code == 403 and "由平台管理员在管理后台统一管理" in response.content.decode()
            assert django_user_model.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_make_runs_demo_counselor_signs_in_with_the_printed_password(client, center, settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("ensure_admin", "--demo-team", stdout=out)
    call_command("ensure_admin", "--demo-team", stdout=StringIO())  # idempotent
    password = re.search(r"Demo counselor: .*counselor@example.com  password: (\S+)", out.getvalue()).group(1)
    assert login(client, "counselor@example.com", password).status_code == 302
    profile = signed_in_user(client).counselor_profile
    facts = (profile.name, profile.school, profile.province, profile.start_year)
    assert facts == ("张老师", "北京师范大学", "北京", 2022)
    assert EmailAddress.objects.get(email="counselor@example.com").verified
    assert client.get("/admin/").status_code == 302  # a counselor, not an editor


# -- a number belongs to whoever confirms it --------------------------------


def sms_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "accounts.sms"]


@pytest.mark.django_db
def test_an_unconfirmed_claim_does_not_squat_the_owners_number(sms, caplog):
    attacker, victim = Client(), Client()
    data = {"password1": PASSWORD, "password2": PASSWORD}
    attacker.post("/accounts/signup/", {**data, "email": "attacker@example.com", "phone": "13900139000"})
    assert CounselorProfile.objects.get(phone="+8613900139000").phone_verified is False
    cache.clear()  # more than 30 s later
    response = victim.post("/accounts/signup/", {**data, "phone": "139 0013 9000"})
    assert response.status_code == 302 and response["Location"] == "/accounts/phone/verify/"
    # The victim gets a code for their own new account, confirms it, and the attacker's claim goes.
    victim.post("/accounts/phone/verify/", {"code": sms()[-1]})
    owner = signed_in_user(victim)
    assert owner and CounselorProfile.objects.get(phone="+8613900139000").user == owner
    assert CounselorProfile.objects.get(user__email="attacker@example.com").phone == ""
    # From now on the number signs in its owner by code.
    cache.clear()
    other = Client()
    other.post("/accounts/login/code/", {"phone": "13900139000"})
    other.post("/accounts/login/code/confirm/", {"code": sms()[-1]})
    assert signed_in_user(other) == owner


@pytest.mark.django_db
def test_an_unconfirmed_claim_signs_nobody_in_and_a_confirmed_number_is_told_of_a_signup(counselor, sms, caplog):
    claimant = factories.CounselorFactory(username="li", email="li@example.edu.cn")
    CounselorProfile.objects.filter(user=claimant).update(phone="+8613900139001", phone_verified=False)
    Client().post("/accounts/login/code/", {"phone": "13900139001"})
    assert sms() == []  # no code for an account that merely claims the number
    assert login(Client(), "13900139001", "password").status_code == 200  # nor its password by the number
    # Signing up with a confirmed number makes no account; its owner is told (purpose "exists").
    Client().post("/accounts/signup/", {"phone": "13800138000", "password1": PASSWORD, "password2": PASSWORD})
    assert CounselorProfile.objects.filter(phone="+8613800138000").count() == 1
    assert sms_lines(caplog)[-1] == "SMS to 138 0013 8000 (账户已存在)"


@pytest.mark.django_db
def test_the_sweep_clears_numbers_left_unconfirmed(counselor, settings):
    from datetime import timedelta

    from accounts import sweeps

    assert "accounts.sweeps.clear_unconfirmed_numbers" in settings.WORKER_SWEEPS
    claimant = factories.CounselorFactory(username="li")
    now = timezone.now()
    CounselorProfile.objects.filter(user=claimant).update(phone="+8613900139002", phone_set_at=now)
    assert sweeps.clear_unconfirmed_numbers() == ""
    CounselorProfile.objects.filter(user=claimant).update(phone_set_at=now - timedelta(hours=25))
    CounselorProfile.objects.filter(user=counselor).update(phone_set_at=now - timedelta(days=400))
    assert sweeps.clear_unconfirmed_numbers() == "1 unconfirmed phone numbers cleared"
    assert CounselorProfile.objects.get(user=claimant).phone == ""
    assert CounselorProfile.objects.get(user=counselor).phone == "+8613800138000"  # confirmed: kept


# -- rate limits: a 429 page, and a daily cap per number -------------------------------------


@pytest.mark.django_db
def test_a_second_signup_with_a_number_within_30s_is_refused_in_the_form(db):
    data = {"phone": "13700137000", "password1": PASSWORD, "password2": PASSWORD}
    assert Client().post("/accounts/signup/", {**data, "email": "a@example.com"}).status_code == 302
    response = Client().post("/accounts/signup/", data)
    assert response.status_code == 200 and "请稍等 30 秒后再试" in response.content.decode()
    assert CounselorProfile.objects.count() == 1  # no half-made account


@pytest.mark.django_db
def test_allauths_rate_limited_is_the_chinese_429_page(client, counselor, sms):
    client.post("/accounts/login/code/", {"phone": "13800138000"})
    # Asking for a new number's code too soon: allauth raises RateLimited inside its flow.
    client.force_login(counselor)
    client.post("/accounts/phone/change/", {"phone": "13900139003"})
    response = client.post("/accounts/phone/change/", {"phone": "13900139003"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "请求过于频繁" in page and 'lang="zh-Hans"' in page


@pytest.mark.django_db
def test_a_number_gets_at_most_the_daily_limit_of_messages(counselor, sms, settings):
    from accounts.models import SmsSent

    settings.ACCOUNTS_SMS_DAILY_LIMIT = 2
    for _ in range(2):
        cache.clear()  # allauth's own limits aside: each request minutes apart
        Client().post("/accounts/login/code/", {"phone": "13800138000"})
    assert len(sms()) == 2 and SmsSent.objects.filter(phone="+8613800138000").count() == 2
    cache.clear()
    client = Client()
    response = client.post("/accounts/login/code/", {"phone": "13800138000"})
    assert response.status_code == 429 and "今天收到的短信已达上限" in response.content.decode()
    assert len(sms()) == 2
    response = client.post("/accounts/signup/", {"phone": "13800138000", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200 and "今天收到的短信已达上限" in response.content.decode()
    SmsSent.objects.update(sent_at=timezone.now() - timezone.timedelta(days=1, seconds=1))
    from accounts import sweeps

    sweeps.forget_sms_counts()
    assert not SmsSent.objects.exists()


# -- deletion: axes' failed sign-ins and other sessions ---------------------------------------


@pytest.mark.django_db
def test_failed_sign_ins_are_in_the_copy_and_go_with_the_account(client, counselor, django_capture_on_commit_callbacks):
    from axes.models import AccessAttempt

    from django.contrib.sessions.models import Session

    login(client, "zhang@example.edu.cn", "wrong", address="203.0.113.7")
    login(client, "zhang@example.edu.cn", PASSWORD, address="203.0.113.7")
    other_device = Client()
    other_device.force_login(counselor)
    data = json.loads(client.get("/accounts/data/").content)
    assert [entry["ip_address"] for entry in data["failed_sign_ins"]] == ["203.0.113.7"]
    assert data["failed_sign_ins"][0]["time"] and "user_agent" in data["failed_sign_ins"][0]
    assert Session.objects.count() == 2
    # The other devices' sessions go in a background task after the deletion's commit.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
    assert not AccessAttempt.objects.filter(username="zhang").exists()
    assert not Session.objects.exists()  # the other device's session too
    assert signed_in_user(other_device) is None


# -- accounts nobody can be reached through --------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_deletes_old_accounts_with_nothing_confirmed_and_nothing_learned(
    counselor, settings, people, make_course
):
    from datetime import timedelta

    from accounts import sweeps
    from learning.models import CourseProgress

    assert "accounts.sweeps.delete_abandoned_accounts" in settings.WORKER_SWEEPS
    old = timezone.now() - timedelta(days=settings.ACCOUNTS_UNVERIFIED_DAYS + 1)
    users = {name: factories.CounselorFactory(username=name) for name in ("gone", "new", "learner", "phone", "staff")}
    EmailAddress.objects.filter(user__username__in=users).update(verified=False)
    for name, user in users.items():
        user.date_joined = user.last_login = old if name != "new" else timezone.now()
        user.is_staff = name == "staff"
        user.save()
    CounselorProfile.objects.filter(user=users["phone"]).update(phone="+8613900139004", phone_verified=True)
    CourseProgress.objects.create(user=users["learner"], course=make_course(), duration=60)
    for person in [counselor, *people.values()]:  # confirmed e-mail, or editors: kept
        type(person).objects.filter(pk=person.pk).update(date_joined=old, last_login=None)
    assert list(sweeps.abandoned_accounts()) == [users["gone"]]
    assert sweeps.delete_abandoned_accounts() == "1 abandoned unconfirmed accounts deleted"
    assert not type(counselor).objects.filter(username="gone").exists()


# -- allauth's pages in the site's Chinese ----------------------------------------------------

ENGLISH_OR_OFF_WORDS = ["Email", "更改电话", "登出", "请求码", "代码", "你的", "你确定"]


def page_text(response):
    main = re.search(r"<main.*?</main>", response.content.decode(), re.S)
    return re.sub(r"<script.*?</script>", "", main.group(0), flags=re.S)


@pytest.mark.django_db
def test_every_account_page_reads_as_the_sites_chinese(client, counselor, home, sms):
    pages = {}
    for url in ["/accounts/login/", "/accounts/signup/", "/accounts/login/code/", "/accounts/password/reset/"]:
        pages[url] = client.get(url)
    coded = Client()
    coded.post("/accounts/login/code/", {"phone": "13800138000"})
    pages["/accounts/login/code/confirm/"] = coded.get("/accounts/login/code/confirm/")
    client.force_login(counselor)
    for url in [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/phone/change/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
        "/accounts/profile/",
        "/accounts/delete/",
    ]:
        pages[url] = client.get(url)
    counselor.set_unusable_password()
    counselor.save()
    client.force_login(counselor)
    pages["/accounts/password/set/"] = client.get("/accounts/password/set/")
    for url, response in pages.items():
        assert response.status_code == 200, url
        html = page_text(response)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
        assert not re.search(r":\s*</label>", html), url  # no ASCII colon after a label
        assert not re.search(r"[\u4e00-\u9fff]\s*:", text), (url, text)  # nor after any Chinese word
        assert not re.search(r"[\u4e00-\u9fff]\s+\.", text), (url, text)  # "请 登录 ." on the sign-up page
        assert not [word for word in ENGLISH_OR_OFF_WORDS if word in text], (url, text)
    assert "验证码登录" in page_text(pages["/accounts/password/reset/"])  # for counselors without an address
