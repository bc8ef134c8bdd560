"""Configuration comes from the environment; production refuses an unsafe start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = "https://hub.example.edu.cn"


def django_check(settings_module, **env):
    environment = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "BASE_URL"}
    }
    environment.update(DJANGO_SETTINGS_MODULE=settings_module, **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = django_check(
        "hub.settings.production", ALLOWED_HOSTS="hub.example.edu.cn", BASE_URL=BASE_URL, VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_its_address(tmp_path):
    result = django_check(
        "hub.settings.production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="hub.example.edu.cn", VAR_DIR=str(tmp_path)
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


def test_production_starts_with_a_real_key_and_hosts(tmp_path):
    result = django_check(
        "hub.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="hub.example.edu.cn",
        BASE_URL=BASE_URL,
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr


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
