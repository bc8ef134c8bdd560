"""Configuration comes from the environment; production refuses an unsafe start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = "https://hub.example.edu.cn"
REAL_KEY = secrets.token_urlsafe(50)


def django_check(settings_module, *options, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "BASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(DJANGO_SETTINGS_MODULE=settings_module, **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *options],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = django_check(
        "hub.settings.production", ALLOWED_HOSTS="hub.example.edu.cn", BASE_URL=BASE_URL, VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_production_refuses_to_start_without_its_address(tmp_path):
    result = django_check(
        "hub.settings.production", SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="hub.example.edu.cn", VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0 and "BASE_URL must be" in result.stderr


def test_production_refuses_the_development_key(tmp_path):
    result = django_check(
        "hub.settings.production",
        SECRET_KEY="dev-only-insecure-key-do-not-use-in-production",
        ALLOWED_HOSTS="hub.example.edu.cn",
        BASE_URL=BASE_URL,
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["x" * 50, "ab" * 25, "abcdefghij" * 5, "django-insecure-" + secrets.token_urlsafe(50), secrets.token_urlsafe(20)],
)
def test_production_refuses_a_weak_key(tmp_path, key):
    result = django_check(
        "hub.settings.production",
        SECRET_KEY=key,
        ALLOWED_HOSTS="hub.example.edu.cn",
        BASE_URL=BASE_URL,
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0 and "SECRET_KEY is too weak" in result.stderr


def test_production_starts_with_a_real_key_and_hosts(tmp_path):
    result = django_check(
        "hub.settings.production",
        SECRET_KEY=REAL_KEY,
        ALLOWED_HOSTS="hub.example.edu.cn",
        BASE_URL=BASE_URL,
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr


def test_deployment_check_has_no_warning(tmp_path):
    # A hex key as `openssl rand -hex 32` makes it is accepted too. The runbook's /etc/hub/env
    # (docs/deployment.md): behind nginx, with its address trusted.
    for key in (REAL_KEY, secrets.token_hex(32)):
        result = django_check(
            "hub.settings.production",
            "--deploy",
            "--fail-level",
            "WARNING",
            SECRET_KEY=key,
            MEDIA_SIGNING_KEY=secrets.token_urlsafe(50),
            MEDIA_ACCEL_REDIRECT="/_protected/",
            TRUSTED_PROXIES="127.0.0.1,::1",
            ALLOWED_HOSTS="hub.example.edu.cn",
            BASE_URL=BASE_URL,
            VAR_DIR=str(tmp_path),
        )
        assert result.returncode == 0, result.stderr
        assert "System check identified no issues" in result.stdout
        assert "WARNING" not in result.stderr + result.stdout


def test_behind_nginx_without_a_trusted_proxy_the_deployment_check_warns(tmp_path):
    """Every visitor would be nginx's address to the login lockout: anyone could lock everyone out."""
    result = django_check(
        "hub.settings.production",
        "--deploy",
        SECRET_KEY=REAL_KEY,
        MEDIA_ACCEL_REDIRECT="/_protected/",
        ALLOWED_HOSTS="hub.example.edu.cn",
        BASE_URL=BASE_URL,
        VAR_DIR=str(tmp_path),
    )
    assert "access.W001" in result.stderr + result.stdout and "TRUSTED_PROXIES" in result.stderr + result.stdout


def test_production_refuses_a_weak_media_signing_key(tmp_path):
    result = django_check(
        "hub.settings.production",
        SECRET_KEY=REAL_KEY,
        MEDIA_SIGNING_KEY="changeme-changeme",
        ALLOWED_HOSTS="hub.example.edu.cn",
        BASE_URL=BASE_URL,
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0 and "MEDIA_SIGNING_KEY is too weak" in result.stderr


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_database_url_selects_the_database():
    code = "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DATABASE_URL": "postgres://hub:secret@db.internal:5432/fudaoyuan",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "django.db.backends.postgresql fudaoyuan" in result.stdout, result.stderr
