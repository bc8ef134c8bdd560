"""The video pipeline end to end, with real ffmpeg on generated video: upload in the admin, the
job queued on commit, the worker's HLS ladder in storage, bad uploads, crashes and re-runs."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from wagtail.models import Collection

from media import pipeline
from media.models import Video

from . import videos

REPO = Path(__file__).resolve().parent.parent
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "video"]}}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("uploads")
    lecture = videos.lecture(d / "lecture.mp4", seconds=4)
    text = d / "notes.mp4"
    text.write_text("这不是视频，只是改了扩展名的讲稿。\n" * 50, encoding="utf-8")
    return {
        "lecture": lecture,
        "audio": videos.audio_only(d / "talk.mp4"),
        "text": text,
        # Cut in half: its index is at the front, so it probes fine but its second half is missing.
        "truncated": videos.truncated(lecture, d / "cut.mp4"),
    }


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Each test stores into its own folder, so that what it finds there is its own doing."""
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, path, name=None, **fields):
    with open(path, "rb") as fh:
        data = {
            "title": fields.pop("title", ""),
            "file": SimpleUploadedFile(name or path.name, fh.read(), content_type="video/mp4"),
            "collection": Collection.get_first_root_node().pk,
            "tags": "",
            **fields,
        }
    return client.post(reverse("wagtailmedia:add", args=("video",)), data)


def stored_video(path, title="讲座"):
    """A video saved as the importer saves one (no form, no probing yet)."""
    video = Video(title=title)
    with open(path, "rb") as fh:
        video.file.save(path.name, File(fh), save=False)
    video.save()
    return video


def media_files():
    root = Path(django_settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# -- upload ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_returns_at_once_and_queues_the_job_on_commit(
    admin_client, files, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, files["lecture"], name="../../第一讲 开场.mp4", title="")
    assert response.status_code == 302

    video = Video.objects.get()
    # Nothing was transcoded in the request: the job waits in the queue for a worker.
    assert video.status == Video.Status.WAITING and not video.hls_dir
    job = DBTaskResult.objects.get(task_path="media.tasks.transcode_video")
    assert job.args_kwargs["args"] == [video.pk] and job.queue_name == "video"
    assert video.task_id == str(job.id)
    # Probed at upload: editors never type these.
    assert video.duration == pytest.approx(4, abs=0.1)
    assert (video.width, video.height, video.video_codec, video.audio_codec) == (640, 360, "h264", "aac")
    assert video.size == files["lecture"].stat().st_size
    # The title comes from the file name, but the stored path never does.
    assert video.title == "第一讲 开场"
    assert video.file.name.startswith("videos/originals/") and ".." not in video.file.name
    assert "开场" not in video.file.name and video.file.name.endswith(".mp4")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("text", "不是可以播放的视频"),
        ("audio", "纯音频"),
        ("truncated_index", "不是可以播放的视频"),
    ],
)
def test_what_is_not_a_video_is_refused_with_the_reason(admin_client, files, tmp_path, kind, message):
    if kind == "truncated_index":
        # The index (moov) at the end, and the upload cut before it: ffprobe cannot read it at all.
        whole = videos.make(tmp_path / "whole.mp4", "-f", "lavfi", "-i", "testsrc2=s=320x240:d=3", "-c:v", "libx264")
        path = videos.truncated(whole, tmp_path / "cut.mp4")
    else:
        path = files[kind]
    before = media_files()
    response = upload(admin_client, path, title="坏文件")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Video.objects.exists()
    assert media_files() == before  # nothing stored for a refused upload


@pytest.mark.django_db
def test_the_size_limit_is_configurable_and_explained(admin_client, files, settings):
    settings.MEDIA_MAX_UPLOAD_SIZE = 10_000
    response = upload(admin_client, files["lecture"], title="太大")
    assert "文件过大" in response.content.decode() and "不能超过" in response.content.decode()
    assert not Video.objects.exists()


@pytest.mark.django_db
def test_a_codec_outside_the_allowed_list_is_refused(admin_client, files, settings):
    settings.MEDIA_ALLOWED_VIDEO_CODECS = ["vp9"]
    response = upload(admin_client, files["lecture"], title="编码")
    assert "不支持的视频编码（h264）" in response.content.decode()


@pytest.mark.django_db
def test_srt_captions_become_webvtt(admin_client, files):
    srt = (
        "1\r\n00:00:00,500 --> 00:00:02,000\r\n同学们好\r\n\r\n"
        "2\r\n00:00:02,000 --> 00:00:03,500\r\n今天讲心理危机干预\r\n"
    )
    captions = SimpleUploadedFile("字幕.srt", srt.encode("gb18030"))
    response = upload(admin_client, files["lecture"], title="带字幕", captions=captions)
    assert response.status_code == 302
    video = Video.objects.get()
    text = video.captions.read().decode("utf-8")
    assert text.startswith("WEBVTT") and "00:00:00.500 --> 00:00:02.000" in text and "今天讲心理危机干预" in text
    assert video.captions.name.endswith(".vtt")


@pytest.mark.django_db
def test_captions_without_timings_are_refused(admin_client, files):
    bad = SimpleUploadedFile("字幕.srt", "只是一段文字".encode())
    response = upload(admin_client, files["lecture"], title="坏字幕", captions=bad)
    assert "没有找到时间轴" in response.content.decode()
    assert not Video.objects.exists()


# -- the job ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_job_makes_a_playable_ladder_with_poster_and_the_page_plays_it(files, make_course, client):
    video = stored_video(files["lecture"])
    course = make_course(title="心理危机干预微课", video=video)
    assert "视频已上传，正在排队等待转码" in client.get(course.url).content.decode()

    assert pipeline.transcode(video.pk) == "ready"
    video.refresh_from_db()
    assert video.status == Video.Status.READY and video.progress == 100 and video.attempts == 1
    assert [r["name"] for r in video.renditions] == ["360p"]  # a 360p source is never upscaled
    storage = video.file.storage
    master = storage.open(f"{video.hls_dir}/master.m3u8").read().decode()
    assert "360p/index.m3u8" in master and "RESOLUTION=640x360" in master
    assert storage.exists(video.poster.name) and storage.exists(video.thumbnail.name)
    # The original is kept beside the ladder.
    assert storage.exists(video.file.name)

    course.refresh_from_db()
    assert course.duration_seconds == 4
    page = client.get(course.url).content.decode()
    assert video.playlist_url in page and video.poster_url in page
    # The player's files are served (SERVE_MEDIA in tests, the web server or S3 in production).
    assert client.get(video.playlist_url).status_code == 200


@pytest.mark.django_db
def test_running_the_job_again_is_safe(files):
    video = stored_video(files["lecture"])
    assert pipeline.transcode(video.pk) == "ready"
    video.refresh_from_db()
    ladder = video.hls_dir
    assert pipeline.transcode(video.pk) == "skipped"
    video.refresh_from_db()
    assert video.hls_dir == ladder and video.attempts == 1


@pytest.mark.django_db
def test_a_second_attempt_cannot_claim_a_video_another_is_transcoding(files):
    video = stored_video(files["lecture"])
    first = pipeline.claim(video.pk)
    assert first is not None
    assert pipeline.claim(video.pk) is None
    assert pipeline.transcode(video.pk) == "skipped"


@pytest.mark.django_db
def test_an_attempt_presumed_dead_can_never_overwrite_its_successor(files, settings):
    video = stored_video(files["lecture"])
    stale = pipeline.claim(video.pk)
    Video.objects.filter(pk=video.pk).update(heartbeat_at="2000-01-01T00:00:00Z")
    assert pipeline.transcode(video.pk) == "ready"  # the successor took over and finished
    with pytest.raises(pipeline.LeaseLost):
        pipeline.heartbeat(video.pk, stale, 50)
    video.refresh_from_db()
    assert video.status == Video.Status.READY and video.progress == 100


@pytest.mark.django_db
def test_a_damaged_file_ends_failed_with_the_reason_and_the_original_kept(files, make_course, client):
    video = stored_video(files["truncated"])
    course = make_course(title="损坏的视频", video=video)
    assert pipeline.transcode(video.pk) == "failed"
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED and "不完整或已损坏" in video.failure_reason
    assert not video.hls_dir and video.file.storage.exists(video.file.name)
    assert not any(name.startswith("videos/hls/") for name in media_files())  # no half ladder left
    # Readers see a plain message, not the technical reason.
    page = client.get(course.url).content.decode()
    assert "视频暂时无法播放" in page and "不完整" not in page


@pytest.mark.django_db
def test_an_audio_file_that_arrives_without_the_form_fails_with_the_reason(files):
    video = stored_video(files["audio"])
    assert pipeline.transcode(video.pk) == "failed"
    video.refresh_from_db()
    assert "纯音频" in video.failure_reason and video.file.storage.exists(video.file.name)


@pytest.mark.django_db
def test_the_job_works_through_the_storage_api_without_local_paths(files, settings):
    """S3-compatible storage has no local path: the job copies the original out and stores the
    ladder through the storage API. Django's in-memory storage behaves the same way here."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    from django.core.files.storage import default_storage

    video = stored_video(files["lecture"])
    assert not os.path.exists(default_storage.path(video.file.name))  # nothing on disk to cheat with
    assert pipeline.transcode(video.pk) == "ready"
    video.refresh_from_db()
    assert default_storage.exists(f"{video.hls_dir}/master.m3u8")
    assert default_storage.exists(f"{video.hls_dir}/360p/index.m3u8")


@pytest.mark.django_db
def test_replacing_the_file_transcodes_again_and_removes_the_old_ladder(files, tmp_path):
    video = stored_video(files["lecture"])
    pipeline.transcode(video.pk)
    video.refresh_from_db()
    old = video.hls_dir
    bigger = videos.lecture(tmp_path / "v2.mp4", seconds=3, size="1280x720")
    with open(bigger, "rb") as fh:
        video.file.save("v2.mp4", File(fh))
    assert video.status == Video.Status.WAITING
    assert pipeline.transcode(video.pk) == "ready"
    video.refresh_from_db()
    assert [r["name"] for r in video.renditions] == ["720p", "480p", "360p"]
    assert not any(name.startswith(old) for name in media_files())


@pytest.mark.django_db
def test_the_admin_shows_progress_and_offers_a_retry_after_failure(admin_client, files):
    video = stored_video(files["lecture"])
    pipeline.claim(video.pk)
    Video.objects.filter(pk=video.pk).update(progress=42)
    page = admin_client.get(reverse("wagtailmedia:edit", args=[video.pk])).content.decode()
    assert "转码中" in page and 'value="42"' in page and "<progress" in page
    status = admin_client.get(reverse("video_status", args=[video.pk])).json()
    assert status["status"] == "transcoding" and status["progress"] == 42
    listing = admin_client.get(reverse("wagtailmedia:index")).content.decode()
    assert "转码中 42%" in listing

    Video.objects.filter(pk=video.pk).update(status="failed", failure_reason="视频转码失败：测试", lease=None)
    page = admin_client.get(reverse("wagtailmedia:edit", args=[video.pk])).content.decode()
    assert "视频转码失败：测试" in page and "重新转码" in page
    admin_client.post(reverse("video_retry", args=[video.pk]))  # tasks run at once in tests
    video.refresh_from_db()
    assert video.status == Video.Status.READY


@pytest.mark.django_db
def test_status_is_not_shown_to_editors_without_permission(client, files, django_user_model):
    video = stored_video(files["lecture"])
    user = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(user)
    assert client.get(reverse("video_status", args=[video.pk])).status_code in (302, 403)


# -- lost and dead workers -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_waiting_video_whose_job_was_lost_is_queued_again_once(files, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_TASKS
    settings.MEDIA_TRANSCODE_STALL_SECONDS = 0
    video = stored_video(files["lecture"])  # saved outside on_commit capture: no job was queued
    assert pipeline.requeue_stalled() == [video.pk]
    assert DBTaskResult.objects.filter(task_path="media.tasks.transcode_video").count() == 1
    # Its job is now queued: a second sweep does not queue a duplicate.
    assert pipeline.requeue_stalled() == []


def worker_env(settings):
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.test",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TASKS_BACKEND": "database",
        "MEDIA_TRANSCODE_STALL_SECONDS": str(settings.MEDIA_TRANSCODE_STALL_SECONDS),
    }


def encoders_for(video):
    """ffmpeg processes working on this video's temporary folder."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "ffmpeg" in cmdline and f"video-{video.pk}-" in cmdline:
            found.append(proc.name)
    return found


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_job_loses_nothing_and_the_job_is_picked_up_again(files, tmp_path, settings):
    settings.TASKS = DB_TASKS
    settings.MEDIA_TRANSCODE_STALL_SECONDS = 2
    source = videos.lecture(tmp_path / "long.mp4", seconds=30, size="1280x720", rate=30)
    from django.db import transaction

    with transaction.atomic():
        video = stored_video(source, title="长讲座")  # queued on commit, for the database worker
    env = worker_env(settings)
    manage = [sys.executable, str(REPO / "manage.py"), "run_worker", "--queues", "video", "--sweep-every", "0"]

    worker = subprocess.Popen([*manage, "--worker-id", "doomed"], env=env, cwd=REPO, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            video.refresh_from_db()
            if video.status == Video.Status.TRANSCODING and video.progress >= 5:
                break
            assert worker.poll() is None, "the worker exited before transcoding"
            time.sleep(0.2)
        else:
            pytest.fail(f"the worker never got going: {video.status} {video.progress}%")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)

    # Killed mid-job: the video says it is still being transcoded (not ready, not failed), the
    # original is intact, no half ladder is published, and no orphan encoder keeps running.
    video.refresh_from_db()
    assert video.status == Video.Status.TRANSCODING and 5 <= video.progress < 100 and not video.hls_dir
    assert video.file.storage.exists(video.file.name)
    deadline = time.monotonic() + 5
    while encoders_for(video) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert encoders_for(video) == []

    # A worker started later (or one sweeping while running) sees the silent job and takes it over.
    time.sleep(settings.MEDIA_TRANSCODE_STALL_SECONDS + 1)
    rescue = subprocess.run([*manage, "--batch"], env=env, cwd=REPO, timeout=180, capture_output=True, text=True)
    assert rescue.returncode == 0, rescue.stdout + rescue.stderr
    video.refresh_from_db()
    assert video.status == Video.Status.READY, (video.failure_reason, rescue.stdout, rescue.stderr)
    assert video.attempts == 2 and video.progress == 100
    assert video.file.storage.exists(f"{video.hls_dir}/720p/index.m3u8")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="set REDIS_URL to test the Redis Queue backend")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_redis_queue_backend_runs_the_job_on_an_rq_worker(files, settings):
    # RQ_ASYNC: queued in Redis for the worker below, not run at once as the rest of the Redis test run does.
    env = {**worker_env(settings), "TASKS_BACKEND": "rq", "RQ_ASYNC": "1"}
    code = (
        "import sys; sys.path[:0] = ['site', '.'];"
        "import django; django.setup();"
        "from django.core.files import File; from django.db import transaction; from media.models import Video;"
        f"f = open({str(files['lecture'])!r}, 'rb');"
        "v = Video(title='rq'); v.file.save('rq.mp4', File(f), save=False);"
        "transaction.atomic()(v.save)(); print(v.pk)"
    )
    created = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    )
    pk = int(created.stdout.strip().splitlines()[-1])
    assert Video.objects.get(pk=pk).status == Video.Status.WAITING  # in Redis, for the worker
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "run_worker", "--queues", "video", "--batch"],
        env=env,
        cwd=REPO,
        timeout=180,
        check=True,
    )
    assert Video.objects.get(pk=pk).status == Video.Status.READY


@pytest.mark.django_db
def test_the_ladder_goes_to_s3_compatible_storage(files, s3_storage):
    video = stored_video(files["lecture"])
    assert s3_storage.exists(video.file.name)  # the original went to the bucket
    assert pipeline.transcode(video.pk) == "ready"
    video.refresh_from_db()
    master = f"{video.hls_dir}/master.m3u8"
    assert video.file.storage.exists(master)
    # The page names the playlist by the file gate's address, which checks who asks (tests/test_file_access.py);
    # the bucket itself is private and answers presigned URLs only.
    assert video.playlist_url == f"/media/{master}"
    with urllib.request.urlopen(s3_storage.url(master), timeout=10) as response:
        assert response.read().startswith(b"#EXTM3U")


@pytest.mark.django_db
def test_an_editor_saving_a_stale_copy_does_not_undo_the_job(files):
    video = stored_video(files["lecture"])
    stale = Video.objects.get(pk=video.pk)  # loaded by an edit form while the video was waiting
    assert pipeline.transcode(video.pk) == "ready"
    stale.title = "新标题"
    stale.save()
    video.refresh_from_db()
    assert video.title == "新标题" and video.status == Video.Status.READY and video.hls_dir


@pytest.mark.django_db
def test_replacing_the_file_mid_transcode_stops_the_old_attempt(files, tmp_path):
    video = stored_video(files["lecture"])
    old_attempt = pipeline.claim(video.pk)
    with open(videos.lecture(tmp_path / "v2.mp4", seconds=2), "rb") as fh:
        video.file.save("v2.mp4", File(fh))
    with pytest.raises(pipeline.LeaseLost):
        pipeline.heartbeat(video.pk, old_attempt, 50)
    assert pipeline.transcode(video.pk) == "ready"
    video.refresh_from_db()
    assert video.duration == pytest.approx(2, abs=0.1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_replacing_the_file_in_the_admin_never_loses_the_original(admin_client, files, tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    video = stored_video(files["lecture"])
    original = video.file.name
    url = reverse("wagtailmedia:edit", args=[video.pk])
    new = videos.lecture(tmp_path / "v2.mp4", seconds=2)

    def post():
        with open(new, "rb") as fh:
            data = {"title": "第二版", "file": SimpleUploadedFile("v2.mp4", fh.read()), "tags": ""}
            data["collection"] = Collection.get_first_root_node().pk
            return admin_client.post(url, data)

    # The storage fails while saving the new file: the old one is still there, and still the video's.
    def broken_save(self, name, content):
        raise OSError("disk full")

    monkeypatch.setattr(FileSystemStorage, "_save", broken_save)
    with pytest.raises(OSError):
        post()
    monkeypatch.undo()
    video.refresh_from_db()
    assert video.file.name == original and video.file.storage.exists(original)

    # It works: the new file is the video's, the old one is deleted after the commit.
    assert post().status_code == 302
    video.refresh_from_db()
    assert video.file.name != original and video.title == "第二版"
    assert video.file.storage.exists(video.file.name) and not video.file.storage.exists(original)


@pytest.mark.django_db
def test_a_blank_title_on_edit_is_refused_not_replaced_by_the_stored_name(admin_client, files):
    video = stored_video(files["lecture"], title="原标题")
    data = {"title": "", "tags": "", "collection": Collection.get_first_root_node().pk}
    response = admin_client.post(reverse("wagtailmedia:edit", args=[video.pk]), data)
    assert "请填写标题" in response.content.decode()
    video.refresh_from_db()
    assert video.title == "原标题"


@pytest.mark.django_db
def test_a_file_declaring_too_many_hours_is_refused(admin_client, files, settings):
    settings.MEDIA_MAX_DURATION_SECONDS = 2
    response = upload(admin_client, files["lecture"], title="太长")
    assert "视频过长" in response.content.decode() and not Video.objects.exists()


def test_an_arrow_inside_a_caption_does_not_start_a_new_cue():
    from media.captions import to_webvtt

    text = to_webvtt("1\n00:00:01,000 --> 00:00:04,000\n从 A --> B\n".encode())
    assert text.splitlines()[3:] == ["00:00:01.000 --> 00:00:04.000", "从 A → B"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deleting_a_video_leaves_no_folder_behind(tmp_path, settings):
    """Its original, every ladder (an interrupted attempt's too) and the video's own folder go."""
    from pathlib import Path

    from media import pipeline

    from .videos import ready_video

    video = ready_video(tmp_path, seconds=2)
    media_root = Path(settings.MEDIA_ROOT)
    folder = media_root / pipeline.video_folder(video.pk)
    stray = folder / "an-interrupted-attempt"
    stray.mkdir()
    (stray / "360p.m3u8").write_text("#EXTM3U\n")
    original = media_root / video.file.name
    assert original.exists() and (media_root / video.hls_dir).is_dir()

    video.delete()
    assert not folder.exists() and not original.exists()
