# ruff: noqa: F811  (the fixtures are imported from test_bulk_upload)
"""Bulk upload limits: header numbers are ASCII digits, unfinished uploads have quotas per user and
in all, and a file that would not fit on the disk is refused before a byte arrives."""

import shutil

import pytest

from django.urls import reverse

from media.models import UploadSession

from .test_bulk_upload import TUS, create, editor, editor_client, member, own_folders, patch  # noqa: F401


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "١٢٣", "12a", "-5", "", "9" * 5000])
def test_upload_length_must_be_ascii_digits(editor_client, center, value):
    response = editor_client.generic(
        "POST", reverse("video_uploads"), b"", headers={**TUS, "Upload-Length": value, "Upload-Metadata": ""}
    )
    assert response.status_code == 400
    assert "Upload-Length" in response.content.decode()


@pytest.mark.django_db
def test_upload_offset_must_be_ascii_digits(editor_client, center):
    url = create(editor_client, center, "第一讲.mp4", 10)["Location"]
    response = patch(editor_client, url, "²", b"x")
    assert response.status_code == 400 and "Upload-Offset" in response.content.decode()


@pytest.mark.django_db
def test_a_user_quota_of_unfinished_uploads(editor, editor_client, center, settings):
    settings.MEDIA_UPLOAD_USER_QUOTA = 1000
    assert create(editor_client, center, "一.mp4", 600).status_code == 201
    response = create(editor_client, center, "二.mp4", 600)
    assert response.status_code == 413
    assert "每人" in response.content.decode() and "限额" in response.content.decode()
    assert UploadSession.objects.count() == 1
    # Within what is left it still works; a colleague has their own quota.
    assert create(editor_client, center, "三.mp4", 400).status_code == 201
    colleague = editor_client.__class__()
    colleague.force_login(member(editor.__class__, "colleague", center.editors_group))
    assert create(colleague, center, "四.mp4", 600).status_code == 201


@pytest.mark.django_db
def test_a_total_quota_of_unfinished_uploads(editor, editor_client, center, settings):
    settings.MEDIA_UPLOAD_TOTAL_QUOTA = 1000
    colleague = editor_client.__class__()
    colleague.force_login(member(editor.__class__, "colleague", center.editors_group))
    assert create(colleague, center, "一.mp4", 900).status_code == 201
    response = create(editor_client, center, "二.mp4", 200)
    assert response.status_code == 507 and "上传总量已达上限" in response.content.decode()


@pytest.mark.django_db
def test_a_file_that_would_not_fit_on_the_disk_is_refused(editor_client, center, settings):
    settings.MEDIA_WORK_DIR.mkdir(parents=True)
    free = shutil.disk_usage(settings.MEDIA_WORK_DIR).free
    if free < 3 * 1024**3:
        pytest.skip("needs 3 GB of free disk space")
    # 2 GB left to uploads: room for the first file (1.5 GB) even if other programs write meanwhile.
    settings.MEDIA_UPLOAD_DISK_RESERVE = free - 2 * 1024**3
    assert create(editor_client, center, "一.mp4", 1536 * 1024**2).status_code == 201
    # Its bytes are still to come: the second does not fit beside them.
    response = create(editor_client, center, "二.mp4", 1024**3)
    assert response.status_code == 507
    assert "存储空间不足" in response.content.decode()
    assert UploadSession.objects.count() == 1
