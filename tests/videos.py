"""Real (generated) video files for the tests, made by the real ffmpeg from lavfi sources."""

import atexit
import shutil
import subprocess
import tempfile
from pathlib import Path

from media import ffmpeg

LAVFI = ["-f", "lavfi", "-i"]


def make(path, *args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args, str(path)], check=True, timeout=120)
    return path


# Each kind of lecture is encoded once per test process and copied after that (the same bytes ffmpeg
# writes; encoding is most of what it costs). Removed with the process's temporary files.
_made = {}
_cache_dir = None


def lecture(path, seconds=4, size="640x360", rate=25):
    """A short video with sound (H.264/AAC, index at the front), as a lecture-capture box uploads it."""
    global _cache_dir
    key = (seconds, size, rate)
    if key not in _made:
        if _cache_dir is None:
            _cache_dir = Path(tempfile.mkdtemp(prefix="hub-test-lectures-"))
            atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)
        _made[key] = ffmpeg.make_sample_lecture(_cache_dir / f"{seconds}s-{size}-{rate}.mp4", seconds, size, rate)
    shutil.copyfile(_made[key], path)
    return Path(path)


def audio_only(path, seconds=2):
    return make(path, *LAVFI, f"sine=f=300:d={seconds}", "-c:a", "aac")


def truncated(source, path, share=0.5):
    """The first half of a real MP4 (index at the front): what a dropped upload leaves."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * share)])
    return path


def ready_video(tmp_path, seconds, title="心理危机干预"):
    """A media Video of a generated lecture, transcoded to its HLS ladder by the real pipeline: playable."""
    from django.core.files import File

    from media import pipeline
    from media.models import Video

    source = lecture(tmp_path / "lecture.mp4", seconds=seconds, size="640x360")
    video = Video(title=title)
    with open(source, "rb") as fh:
        video.file.save("lecture.mp4", File(fh), save=False)
    video.save()
    pipeline.transcode(video.pk)
    video.refresh_from_db()
    assert video.is_ready
    return video
