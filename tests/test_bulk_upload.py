"""Bulk upload of lecture videos (批量上传视频): the tus protocol on the server, resuming an
interrupted upload, what a complete file becomes, who may upload where, and the expiry sweep.
Real generated video, real ffprobe and transcoding (tasks run at once in tests)."""

import base64
import fcntl
import os
import time
from datetime import timedelta

import pytest

from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from media import uploads
from media.models import UploadSession, Video
from microcourses.models import MicroCoursePage

from . import factories, videos

TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bulk")
    text = d / "notes.mp4"
    text.write_text("这不是视频，只是改了扩展名的讲稿。\n" * 50, encoding="utf-8")
    return {"lecture": videos.lecture(d / "lecture.mp4", seconds=4), "text": text}


@pytest.fixture(autouse=True)
def own_folders(settings, tmp_path):
    """Each test stores into its own folders, so that what it finds there is its own doing."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_WORK_DIR = tmp_path / "work"


def member(django_user_model, username, *groups):
    user = django_user_model.objects.create_user(username, password="pw")
    user.groups.add(*groups)
    return user


@pytest.fixture
def editor(center, django_user_model):
    return member(django_user_model, "editor", center.editors_group)


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def metadata(**values):
    return ",".join(f"{key} {base64.b64encode(str(value).encode()).decode()}" for key, value in values.items())


def create(client, center, filename, length):
    headers = {**TUS, "Upload-Length": str(length), "Upload-Metadata": metadata(filename=filename, center=center.pk)}
    return client.generic("POST", reverse("video_uploads"), b"", headers=headers)


def patch(client, url, offset, data):
    return client.generic(
        "PATCH",
        url,
        data,
        content_type="application/offset+octet-stream",
        headers={**TUS, "Upload-Offset": str(offset)},
    )


def part_files(settings):
    folder = settings.MEDIA_WORK_DIR / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


# -- the resumable upload -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_upload_interrupted_halfway_completes_after_resuming(
    editor, editor_client, center, files, settings, django_capture_on_commit_callbacks
):
    data = files["lecture"].read_bytes()
    response = create(editor_client, center, "第一讲_谈心谈话-技巧 .mp4", len(data))
    assert response.status_code == 201 and response["Tus-Resumable"] == "1.0.0"
    url = response["Location"]

    # The first half, in chunks; then the connection drops.
    half, chunk = len(data) // 2, 16 * 1024
    for offset in range(0, half, chunk):
        piece = data[offset : min(offset + chunk, half)]
        response = patch(editor_client, url, offset, piece)
        assert response.status_code == 204 and int(response["Upload-Offset"]) == offset + len(piece)
    assert not Video.objects.exists() and not MicroCoursePage.objects.exists()

    # Reconnected (a fresh client): ask where the upload stands, send the rest from there.
    fresh = Client()
    fresh.force_login(editor)
    response = fresh.head(url, headers=TUS)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert int(response["Upload-Offset"]) == half and int(response["Upload-Length"]) == len(data)
    with django_capture_on_commit_callbacks(execute=True):
        response = patch(fresh, url, half, data[half:])
    assert response.status_code == 204 and int(response["Upload-Offset"]) == len(data)

    # One video, in the center's collection, probed, byte for byte the file, and transcoded.
    video = Video.objects.get()
    assert video.collection == center.collection and video.uploaded_by_user == editor
    assert video.size == len(data) and video.duration == pytest.approx(4, abs=0.1)
    assert (video.width, video.height, video.video_codec) == (640, 360, "h264")
    with video.file.open("rb") as stored:
        assert stored.read() == data
    assert video.file.name.startswith("videos/originals/") and "谈心" not in video.file.name
    assert video.status == Video.Status.READY and video.hls_dir

    # One draft course under the center's section, titled after the file, owned by the editor.
    page = MicroCoursePage.objects.get()
    assert page.title == "第一讲 谈心谈话 技巧"
    assert not page.live and page.has_unpublished_changes and page.first_published_at is None
    assert page.get_parent().pk == center.section.pk and page.center == center
    assert page.owner == editor and page.video == video and page.duration_seconds == 4
    assert page.latest_revision.user == editor
    assert page.slug == "diyi-jiang-tanxintanhua-jiqiao"  # pinyin, readable (hub.slugs)

    # The page's script learns the links; the bytes waiting in the work folder are gone.
    status = fresh.get(url).json()
    assert status["status"] == "complete" and status["page_title"] == "第一讲 谈心谈话 技巧"
    assert status["page_edit_url"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert status["video_edit_url"] == reverse("wagtailmedia:edit", args=[video.pk])
    assert part_files(settings) == []
    # Asking again (a client that lost the last response) changes nothing.
    assert fresh.post(reverse("video_upload_finish", args=[status["id"]])).json()["status"] == "complete"
    assert fresh.head(url, headers=TUS)["Upload-Offset"] == str(len(data))
    assert Video.objects.count() == 1 and MicroCoursePage.objects.count() == 1


@pytest.mark.django_db
def test_a_wrong_offset_is_refused_and_nothing_is_corrupted(editor_client, center, files, settings):
    data = files["lecture"].read_bytes()
    url = create(editor_client, center, "lecture.mp4", len(data))["Location"]
    assert patch(editor_client, url, 0, data[:1000]).status_code == 204

    for offset in (0, 500, 2000):  # a duplicate, an overlap, a gap
        response = patch(editor_client, url, offset, b"x" * 300)
        assert response.status_code == 409 and "服务器已接收 1000 字节" in response.text
    (part,) = part_files(settings)
    assert part.read_bytes() == data[:1000]
    assert editor_client.head(url, headers=TUS)["Upload-Offset"] == "1000"

    # More than the declared length is refused too.
    assert patch(editor_client, url, 1000, data[1000:] + b"extra").status_code == 413
    assert part.read_bytes() == data[:1000]

    assert patch(editor_client, url, 1000, data[1000:]).status_code == 204
    with Video.objects.get().file.open("rb") as stored:
        assert stored.read() == data


@pytest.mark.django_db
def test_a_request_while_another_writes_the_same_upload_is_told_to_retry(editor_client, center, files, settings):
    data = files["lecture"].read_bytes()
    url = create(editor_client, center, "lecture.mp4", len(data))["Location"]
    (part,) = part_files(settings)
    with open(part, "r+b") as other_writer:
        fcntl.flock(other_writer, fcntl.LOCK_EX)
        response = patch(editor_client, url, 0, data[:1000])
        assert response.status_code == 423
    assert part.read_bytes() == b"" and editor_client.head(url, headers=TUS)["Upload-Offset"] == "0"
    assert patch(editor_client, url, 0, data[:1000]).status_code == 204


@pytest.mark.django_db
def test_a_file_that_is_not_a_video_is_refused_with_the_reason_and_nothing_is_kept(
    editor_client, center, files, settings
):
    data = files["text"].read_bytes()
    url = create(editor_client, center, "notes.mp4", len(data))["Location"]
    response = patch(editor_client, url, 0, data)
    assert response.status_code == 422
    assert "notes.mp4" in response.text and "不是可以播放的视频" in response.text
    assert not Video.objects.exists() and not MicroCoursePage.objects.exists()
    assert part_files(settings) == []
    assert not (settings.MEDIA_ROOT / "videos").exists()  # nothing stored either

    status = editor_client.get(url).json()
    assert status["status"] == "failed" and "不是可以播放的视频" in status["error"]
    # Its bytes are gone: resuming it is impossible, the client starts over.
    assert editor_client.head(url, headers=TUS).status_code == 410


@pytest.mark.django_db
def test_size_and_type_are_checked_before_any_byte_is_sent(editor_client, center, settings):
    settings.MEDIA_MAX_UPLOAD_SIZE = 10_000
    response = create(editor_client, center, "big.mp4", 10_001)
    assert response.status_code == 413 and "文件过大" in response.text and "不能超过" in response.text

    response = create(editor_client, center, "讲稿.docx", 1000)
    assert response.status_code == 415 and "不支持的文件类型" in response.text and "mp4" in response.text

    assert create(editor_client, center, "empty.mp4", 0).status_code == 400
    assert not UploadSession.objects.exists() and part_files(settings) == []


@pytest.mark.django_db
def test_the_protocol_is_announced_and_required(editor_client, center):
    response = editor_client.options(reverse("video_uploads"))
    assert response.status_code == 204 and response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) == {"creation", "termination"}
    assert int(response["Tus-Max-Size"]) > 0

    response = editor_client.generic("POST", reverse("video_uploads"), b"", headers={"Upload-Length": "100"})
    assert response.status_code == 412 and response["Tus-Version"] == "1.0.0"


@pytest.mark.django_db
def test_a_cancelled_upload_is_deleted_with_its_bytes(editor_client, center, files, settings):
    data = files["lecture"].read_bytes()
    url = create(editor_client, center, "lecture.mp4", len(data))["Location"]
    patch(editor_client, url, 0, data[:1000])
    response = editor_client.delete(url, headers=TUS)
    assert response.status_code == 204
    assert not UploadSession.objects.exists() and part_files(settings) == []
    assert editor_client.head(url, headers=TUS).status_code == 404


@pytest.mark.django_db
def test_an_upload_whose_server_died_before_finishing_is_finished_on_request(
    editor, editor_client, center, files, settings
):
    """All bytes counted, then the process died before making the video: the page asks again."""
    data = files["lecture"].read_bytes()
    url = create(editor_client, center, "Lecture 1.mp4", len(data))["Location"]
    session = UploadSession.objects.get()
    session.part_path.write_bytes(data)
    UploadSession.objects.filter(pk=session.pk).update(offset=len(data))

    response = editor_client.post(reverse("video_upload_finish", args=[session.pk]))
    assert response.status_code == 200 and response.json()["status"] == "complete"
    page = MicroCoursePage.objects.get()
    assert page.title == "Lecture 1" and page.slug == "lecture-1" and not page.live
    assert editor_client.get(url).json()["page_edit_url"] == reverse("wagtailadmin_pages:edit", args=[page.pk])

    # The same file name again: another course, another slug.
    url = create(editor_client, center, "Lecture 1.mp4", len(data))["Location"]
    patch(editor_client, url, 0, data)
    assert sorted(MicroCoursePage.objects.values_list("slug", flat=True)) == ["lecture-1", "lecture-1-1"]


# -- who may upload where -------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_users_upload_does_not_exist_for_them(editor_client, center, files, django_user_model):
    data = files["lecture"].read_bytes()
    url = create(editor_client, center, "lecture.mp4", len(data))["Location"]
    colleague = Client()
    colleague.force_login(member(django_user_model, "colleague", center.editors_group))
    assert colleague.head(url, headers=TUS).status_code == 404
    assert patch(colleague, url, 0, data[:1000]).status_code == 404
    assert colleague.get(url).status_code == 404
    assert colleague.delete(url, headers=TUS).status_code == 404
    assert UploadSession.objects.get().offset == 0


@pytest.mark.django_db
def test_an_editor_of_one_center_cannot_upload_into_another(center, files, django_user_model, settings):
    other = factories.TrainingCenterFactory(code="pku", name="北京大学中心")
    client = Client()
    client.force_login(member(django_user_model, "pku-editor", other.editors_group))
    response = create(client, center, "lecture.mp4", 1000)
    assert response.status_code == 403 and "不能向该培训研修中心上传" in response.text
    assert not UploadSession.objects.exists() and part_files(settings) == []


@pytest.mark.django_db
def test_an_editor_removed_from_the_center_mid_upload_cannot_go_on(editor, editor_client, center, files, admin_access):
    editor.groups.add(admin_access)  # still an admin user after leaving the center
    data = files["lecture"].read_bytes()
    url = create(editor_client, center, "lecture.mp4", len(data))["Location"]
    assert patch(editor_client, url, 0, data[:1000]).status_code == 204
    editor.groups.remove(center.editors_group)
    assert patch(editor_client, url, 1000, data[1000:]).status_code == 403
    assert not Video.objects.exists() and UploadSession.objects.get().offset == 1000


@pytest.fixture
def admin_access(db):
    group = Group.objects.create(name="只能登录后台")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    return group


@pytest.fixture
def admin_user_without_center(django_user_model, admin_access):
    return member(django_user_model, "nobody", admin_access)


@pytest.mark.django_db
def test_a_user_without_a_center_is_told_so_and_cannot_upload(center, admin_user_without_center):
    client = Client()
    client.force_login(admin_user_without_center)
    html = client.get(reverse("video_bulk_upload")).text
    assert "你还不属于任何培训研修中心" in html and "data-bulk-upload" not in html
    assert reverse("video_bulk_upload") not in client.get(reverse("wagtailadmin_account")).text  # no menu item
    response = create(client, center, "lecture.mp4", 1000)
    assert response.status_code == 403 and not UploadSession.objects.exists()


@pytest.mark.django_db
def test_the_page_offers_the_users_centers_and_says_it_needs_javascript(
    center, editor, editor_client, django_user_model
):
    html = editor_client.get(reverse("video_bulk_upload")).text
    # One center: no choice to make.
    assert center.name in html and "<select" not in html
    assert "批量上传需要启用浏览器的 JavaScript" in html and reverse("wagtailmedia:add", args=["video"]) in html
    assert "vendor/tus/tus.min.js" in html

    # A member of two centers chooses; a platform administrator chooses among all.
    other = factories.TrainingCenterFactory(code="pku", name="北京大学中心")
    factories.TrainingCenterFactory(code="fdu", name="复旦大学中心")
    editor.groups.add(other.reviewers_group)
    html = editor_client.get(reverse("video_bulk_upload")).text
    assert "<select" in html and "北京大学中心" in html and "复旦大学中心" not in html

    platform_admin = Client()
    platform_admin.force_login(django_user_model.objects.create_superuser("root", "", "pw"))
    html = platform_admin.get(reverse("video_bulk_upload")).text
    assert all(name in html for name in ("北京师范大学中心", "北京大学中心", "复旦大学中心"))


@pytest.mark.django_db
def test_the_video_list_and_the_menu_lead_to_the_bulk_upload(editor_client):
    url = reverse("video_bulk_upload")
    assert url in editor_client.get(reverse("wagtailmedia:index")).text
    assert url in editor_client.get(reverse("wagtailadmin_account")).text  # the menu, on every admin page


# -- expiry ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_deletes_abandoned_uploads_and_their_bytes(editor_client, center, files, settings):
    settings.MEDIA_UPLOAD_EXPIRY_HOURS = 72
    data = files["lecture"].read_bytes()
    old_url = create(editor_client, center, "old.mp4", len(data))["Location"]
    patch(editor_client, old_url, 0, data[:1000])
    create(editor_client, center, "recent.mp4", len(data))
    old = UploadSession.objects.get(filename="old.mp4")
    UploadSession.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(hours=73))
    # A part file whose session is gone (a crash between the two), as old.
    stray = settings.MEDIA_WORK_DIR / "uploads" / "0123.part"
    stray.write_bytes(b"x")
    long_ago = (timezone.now() - timedelta(hours=80)).timestamp()
    os.utime(stray, (long_ago, long_ago))

    assert "media.uploads.expire_sessions" in settings.WORKER_SWEEPS  # run_worker runs it every minute
    assert import_string("media.uploads.expire_sessions")() == "2 expired uploads deleted"
    assert list(UploadSession.objects.values_list("filename", flat=True)) == ["recent.mp4"]
    assert [p.name for p in part_files(settings)] == [f"{UploadSession.objects.get().pk}.part"]
    assert editor_client.head(old_url, headers=TUS).status_code == 404
    assert uploads.expire_sessions() is None  # nothing more to do


def test_titles_come_from_file_names():
    assert uploads.title_from_filename("第一讲_谈心谈话--技巧.MP4") == "第一讲 谈心谈话 技巧"
    assert uploads.title_from_filename(r"C:\录像\ 开学第一课 .mov") == "开学第一课"
    assert uploads.title_from_filename("___.mp4") == "未命名课程"


# -- in a real browser ----------------------------------------------------------------------------


@pytest.fixture
def editor_page(live_server, center, editor, settings):
    """The bulk upload page in Debian's chromium, signed in as the center's editor."""
    from playwright.sync_api import sync_playwright

    from .test_browser import CHROMIUM, CHROMIUM_ARGS, csp_violations

    # Queued, not transcoded inside the live server's request: the browser only waits for the upload.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "video"]}}
    client = Client()
    client.force_login(editor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        violations = csp_violations(page)
        page.goto(live_server.url + reverse("video_bulk_upload"))
        yield page
        # The admin's policy lets the admin's own scripts and styles work.
        assert violations == []
        browser.close()


def finished_links(page, names):
    """The "完善课程信息" link of each named file's row, once its upload has finished."""
    from playwright.sync_api import expect

    hrefs = []
    for name in names:
        link = page.get_by_test_id("upload-item").filter(has_text=name).get_by_role("link", name="完善课程信息")
        expect(link).to_be_visible(timeout=30_000)
        hrefs.append(link.get_attribute("href"))
    return hrefs


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_videos_chosen_at_once_both_become_draft_courses(editor_page, files, tmp_path):
    from playwright.sync_api import expect

    second = videos.lecture(tmp_path / "第二讲_网络舆情.mp4", seconds=2)
    assert editor_page.get_by_test_id("needs-javascript").is_hidden()
    editor_page.get_by_test_id("bulk-input").set_input_files([files["lecture"], second, files["text"]])

    hrefs = finished_links(editor_page, ["lecture.mp4", "第二讲_网络舆情.mp4"])
    # The third is a text file named .mp4: refused with the reason, and nothing made of it.
    refused = editor_page.get_by_test_id("upload-item").filter(has_text="notes.mp4").get_by_test_id("upload-state")
    expect(refused).to_contain_text("上传失败：notes.mp4：无法识别该文件")
    pages = {page.title: page for page in MicroCoursePage.objects.all()}
    assert set(pages) == {"lecture", "第二讲 网络舆情"} and not any(page.live for page in pages.values())
    assert sorted(hrefs) == sorted(reverse("wagtailadmin_pages:edit", args=[page.pk]) for page in pages.values())
    summary = editor_page.get_by_test_id("upload-summary").inner_text()
    assert summary == "共 3 个文件：已完成 2，未完成 0，失败 1。"
    assert Video.objects.count() == 2 and UploadSession.objects.filter(status="failed").count() == 1

    # The rows follow the transcode instead of saying "排队" for ever: queued, then ready or failed.
    def state_of(name):
        return editor_page.get_by_test_id("upload-item").filter(has_text=name).get_by_test_id("upload-state")

    expect(state_of("lecture.mp4")).to_contain_text("视频正在排队等待转码")
    Video.objects.filter(title="lecture").update(status=Video.Status.READY, hls_dir="videos/hls/x", progress=100)
    Video.objects.exclude(title="lecture").update(status=Video.Status.FAILED, failure_reason="编码器出错")
    expect(state_of("lecture.mp4")).to_contain_text("视频已转码完成，可以播放", timeout=15_000)
    expect(state_of("第二讲_网络舆情.mp4")).to_contain_text("视频转码失败：编码器出错", timeout=15_000)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_whose_connection_drops_mid_way_resumes_and_completes(editor_page, files, settings):
    settings.MEDIA_UPLOAD_CHUNK_SIZE = 64 * 1024
    data = files["lecture"].read_bytes()
    assert len(data) > 3 * settings.MEDIA_UPLOAD_CHUNK_SIZE
    seen = []

    def cut_the_second_chunk(route, request):
        seen.append(request.method)
        if request.method == "PATCH" and seen.count("PATCH") == 2:
            # The server receives the chunk, the browser never hears back: the connection dropped.
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    editor_page.reload()  # the page reads the chunk size when it is rendered
    editor_page.route(lambda url: "/admin/videos/uploads/" in url, cut_the_second_chunk)
    editor_page.get_by_test_id("bulk-input").set_input_files(files["lecture"])

    finished_links(editor_page, ["lecture.mp4"])
    # One upload, resumed where the server stood (HEAD), never started again.
    assert seen.count("POST") == 2 and seen[0] == "POST" and seen[-1] == "POST"  # creation, then finish
    assert "HEAD" in seen
    with Video.objects.get().file.open("rb") as stored:
        assert stored.read() == data
    assert UploadSession.objects.get().status == UploadSession.Status.COMPLETE


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_choosing_the_same_file_after_closing_the_page_resumes_it(editor_page, files, settings, live_server):
    settings.MEDIA_UPLOAD_CHUNK_SIZE = 64 * 1024
    editor_page.reload()
    # The network fails after the first chunk, and the editor gives up and closes the tab.
    patches = []

    def offline_after_the_first_chunk(route, request):
        if request.method == "PATCH":
            patches.append(request)
            if len(patches) > 1:
                return route.abort("internetdisconnected")
        return route.continue_()

    editor_page.route(lambda url: "/admin/videos/uploads/" in url, offline_after_the_first_chunk)
    editor_page.get_by_test_id("bulk-input").set_input_files(files["lecture"])
    deadline = time.monotonic() + 20
    while not UploadSession.objects.filter(offset__gt=0).exists():
        assert time.monotonic() < deadline, "the first chunk never arrived"
        editor_page.wait_for_timeout(200)  # not time.sleep: Playwright answers the routes meanwhile
    context = editor_page.context
    editor_page.close()

    # A new tab (same browser profile, so the same localStorage): the same file again.
    page = context.new_page()
    seen = []
    page.on("request", lambda request: seen.append(request.method) if "/videos/uploads/" in request.url else None)
    page.goto(live_server.url + reverse("video_bulk_upload"))
    page.get_by_test_id("bulk-input").set_input_files(files["lecture"])
    finished_links(page, ["lecture.mp4"])
    assert seen[0] == "HEAD" and seen.count("POST") == 1  # resumed, then finished; no new upload
    assert UploadSession.objects.count() == 1 and Video.objects.count() == 1
