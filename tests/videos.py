"""Real (generated) video files for the tests, made by the real ffmpeg from lavfi sources."""

import subprocess

LAVFI = ["-f", "lavfi", "-i"]


def make(path, *args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args, str(path)], check=True, timeout=120)
    return path


def lecture(path, seconds=4, size="640x360", rate=25):
    """A short video with sound, as a phone or a lecture-capture box would upload it."""
    return make(
        path,
        *LAVFI, f"testsrc2=s={size}:r={rate}:d={seconds}",
        *LAVFI, f"sine=f=440:d={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", "-movflags", "+faststart",
    )  # fmt: skip


def audio_only(path, seconds=2):
    return make(path, *LAVFI, f"sine=f=300:d={seconds}", "-c:a", "aac")


def truncated(source, path, share=0.5):
    """The first half of a real MP4 (index at the front): what a dropped upload leaves."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * share)])
    return path
