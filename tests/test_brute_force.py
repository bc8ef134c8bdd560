"""Repeated wrong passwords lock out: per account, per address, and for page passwords; the lock
ends after the cool-off, and a right password before the limit works."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt

from django.utils import timezone

from wagtail.models import PageViewRestriction

LOCKED = "尝试次数过多"


def admin_login(client, username, password, address="203.0.113.5"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(response):
    return response.status_code == 302 and "/login/" not in response["Location"]


@pytest.fixture
def accounts(django_user_model):
    return {
        name: django_user_model.objects.create_superuser(name, f"{name}@example.edu.cn", f"right-{name}")
        for name in ("zhang", "li", "wang")
    }


@pytest.mark.django_db
class TestAdminLogin:
    def test_a_right_password_before_the_limit_works(self, client, accounts, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert admin_login(client, "zhang", "wrong").status_code == 200
        assert logged_in(admin_login(client, "zhang", "right-zhang"))

    def test_wrong_passwords_lock_the_account_even_from_another_address(self, client, accounts, settings):
        for i in range(settings.AXES_FAILURE_LIMIT):
            admin_login(client, "zhang", "wrong", address=f"198.51.100.{i}")
        response = admin_login(client, "zhang", "right-zhang", address="192.0.2.77")
        assert response.status_code == 429
        assert LOCKED in response.content.decode()
        assert "30 分钟" in response.content.decode()
        # Another account is not concerned.
        assert logged_in(admin_login(client, "li", "right-li", address="192.0.2.77"))

    def test_the_owners_usual_address_is_not_locked_out_by_strangers(self, client, accounts, settings):
        """Anyone may know a user name: strangers' wrong passwords lock the account elsewhere, not where
        its owner has logged in before."""
        assert logged_in(admin_login(client, "zhang", "right-zhang", address="192.0.2.10"))
        client.logout()
        for i in range(settings.AXES_FAILURE_LIMIT * 2):
            admin_login(client, "zhang", "wrong", address=f"198.51.100.{i}")
        assert admin_login(client, "zhang", "right-zhang", address="192.0.2.99").status_code == 429
        assert logged_in(admin_login(client, "zhang", "right-zhang", address="192.0.2.10"))
        client.logout()
        # Guessing from the owner's address is still stopped there.
        for _ in range(settings.AXES_FAILURE_LIMIT):
            admin_login(client, "zhang", "wrong", address="192.0.2.10")
        assert admin_login(client, "zhang", "right-zhang", address="192.0.2.10").status_code == 429

    def test_a_spray_from_one_address_locks_the_address(self, client, accounts, settings, django_user_model):
        # Few tries per account, many accounts: no account reaches its limit, the address does.
        names = [f"user{i}" for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT)]
        for name in names:
            assert admin_login(client, name, "123456").status_code in (200, 429)
        response = admin_login(client, "wang", "right-wang")
        assert response.status_code == 429 and LOCKED in response.content.decode()
        # Elsewhere, the same account still logs in.
        assert logged_in(admin_login(client, "wang", "right-wang", address="192.0.2.8"))

    def test_the_lock_ends_after_the_cool_off(self, client, accounts, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            admin_login(client, "zhang", "wrong")
        assert admin_login(client, "zhang", "right-zhang").status_code == 429
        AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
        assert logged_in(admin_login(client, "zhang", "right-zhang"))

    def test_the_address_comes_from_the_proxy_only_when_it_is_trusted(self, client, accounts, settings):
        settings.TRUSTED_PROXIES = {"127.0.0.1"}
        for i in range(settings.AXES_FAILURE_LIMIT):
            client.post(
                "/admin/login/",
                {"username": f"nobody{i}", "password": "x"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR=f"10.9.9.9, 203.0.113.{i}",
            )
        addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
        # The client wrote 10.9.9.9 itself; nginx appended the real peer.
        assert addresses == {f"203.0.113.{i}" for i in range(settings.AXES_FAILURE_LIMIT)}
        # Not behind a trusted proxy, the header is ignored.
        client.post(
            "/admin/login/", {"username": "x", "password": "x"}, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="1.2.3.4"
        )
        assert AccessAttempt.objects.filter(ip_address="192.0.2.1").exists()
        assert not AccessAttempt.objects.filter(ip_address="1.2.3.4").exists()


@pytest.fixture
def protected(make_course):
    course = make_course(title="内部培训课程")
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.PASSWORD, password="open-sesame"
    )
    return course, restriction


def page_password(client, course, restriction, password, address="203.0.113.9"):
    url = f"/_util/authenticate_with_password/{restriction.pk}/{course.pk}/"
    return client.post(url, {"password": password, "return_url": course.url}, REMOTE_ADDR=address)


@pytest.mark.django_db
class TestPagePassword:
    def test_a_right_password_before_the_limit_works(self, client, protected, settings):
        course, restriction = protected
        for _ in range(settings.PAGE_PASSWORD_FAILURE_LIMIT - 1):
            assert page_password(client, course, restriction, "guess").status_code == 200
        response = page_password(client, course, restriction, "open-sesame")
        assert response.status_code == 302
        assert client.get(course.url, REMOTE_ADDR="203.0.113.9").status_code == 200

    def test_guessing_is_stopped(self, client, protected, settings):
        course, restriction = protected
        for _ in range(settings.PAGE_PASSWORD_FAILURE_LIMIT):
            page_password(client, course, restriction, "guess")
        response = page_password(client, course, restriction, "open-sesame")
        assert response.status_code == 429
        assert "页面密码连续输错次数过多" in response.content.decode()
        assert client.get(course.url, REMOTE_ADDR="203.0.113.9").status_code == 200  # the form, not the page
        # Another reader elsewhere is not stopped.
        assert page_password(client, course, restriction, "open-sesame", address="192.0.2.44").status_code == 302

    def test_many_addresses_guessing_one_page_are_stopped_too(self, client, protected, settings):
        settings.PAGE_PASSWORD_RESTRICTION_FAILURE_LIMIT = 6
        course, restriction = protected
        for i in range(6):
            page_password(client, course, restriction, "guess", address=f"198.51.100.{i}")
        assert page_password(client, course, restriction, "open-sesame", address="192.0.2.44").status_code == 429


@pytest.mark.django_db
def test_a_login_by_email_as_django_allauth_sends_it_is_counted_by_its_account(rf, accounts):
    """The counselor login (django-allauth) passes `email` to authenticate() and posts `login`: the failure
    counts against the account the address names, under its user name (as axes records successes); an
    address of no account counts as typed, in lower case (tests/test_accounts.py: the form itself)."""
    from django.contrib.auth import authenticate

    request = rf.post("/accounts/login/", {"login": "Zhang@Example.edu.cn", "password": "wrong"})
    assert authenticate(request, email="Zhang@Example.edu.cn", password="wrong") is None
    assert AccessAttempt.objects.get().username == "zhang"
    request = rf.post("/accounts/login/", {"login": "Nobody@Example.edu.cn", "password": "wrong"})
    assert authenticate(request, email="Nobody@Example.edu.cn", password="wrong") is None
    assert AccessAttempt.objects.filter(username="nobody@example.edu.cn").exists()


@pytest.fixture
def private_collection(db):
    from wagtail.models import Collection, CollectionViewRestriction

    collection = Collection.get_first_root_node().add_child(name="内部文件")
    return CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password="open-sesame"
    )


def collection_password(client, restriction, password, address="203.0.113.9"):
    url = f"/documents/authenticate_with_password/{restriction.pk}/"
    return client.post(url, {"password": password, "return_url": "/"}, REMOTE_ADDR=address)


@pytest.mark.django_db
class TestCollectionPassword:
    """A private collection's password (Wagtail asks it before any of its documents) is counted like a
    page password: it was Wagtail's own form, with no limit."""

    def test_a_right_password_before_the_limit_works(self, client, private_collection, settings):
        for _ in range(settings.PAGE_PASSWORD_FAILURE_LIMIT - 1):
            assert collection_password(client, private_collection, "guess").status_code == 200
        assert collection_password(client, private_collection, "open-sesame").status_code == 302

    def test_guessing_is_stopped_for_that_address_only(self, client, private_collection, settings):
        for _ in range(settings.PAGE_PASSWORD_FAILURE_LIMIT):
            collection_password(client, private_collection, "guess")
        response = collection_password(client, private_collection, "open-sesame")
        assert response.status_code == 429
        assert "文件密码连续输错次数过多" in response.content.decode()
        assert AccessAttempt.objects.filter(username=f"collection-password:{private_collection.pk}").exists()
        assert collection_password(client, private_collection, "open-sesame", address="192.0.2.44").status_code == 302

    def test_the_form_is_ours_whatever_the_id_looks_like(self, client, private_collection):
        for restriction_id in ("0" * 19 + str(private_collection.pk), "９", "9" * 25):
            url = f"/documents/authenticate_with_password/{restriction_id}/"
            assert client.post(url, {"password": "guess", "return_url": "/"}).status_code == 404
