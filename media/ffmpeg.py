"""Every call to ffmpeg and ffprobe lives here (through ffmpeg-python), so the rest of the
video pipeline never builds a command line and the library could be swapped.

The ladder is made by ONE ffmpeg process: the source is decoded once and scaled once to the top
rung, a `split` filter feeds the lower rungs' scalers and every encoder, and the HLS muxer writes
every rung plus the master playlist.
Other Wagtail video apps and PeerTube run one process per rendition, decoding the source again
for each; `bench/transcode.py` measures the difference.
"""

import math
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

SEGMENT_SECONDS = 6
# Bicubic, not bilinear: against a lanczos reference it lifts the rungs' SSIM from 0.9965/0.9910/0.9935
# to 0.9996/0.9988/0.9990 (720p/480p/360p) on a noisier lecture-like test clip, for about 0.02 CPU s per
# 1080p second; one-process-per-rung pays that scale three times, the cascade once.
SCALER = "bicubic"
# x264 `superfast` (diamond search, subme 1, no lookahead) with fixed B-frames: its SSIM is within 0.0001 of
# `veryfast` on the benchmark's lecture videos at these bitrates, and the ladder needs about 20 % less CPU (6.5 → 5.1
# CPU s per 20 s on a quiet machine; bench/transcode.py --quality). One preset for every rung: the two small rungs
# are only about 40 % of the encoding (ffmpeg 5.1 would take `-preset:v:N` per stream).
X264_PRESET = "superfast"
X264_PARAMS = "b-adapt=0"


def binary(name):
    """ffmpeg/ffprobe: FFMPEG_PATH / FFPROBE_PATH if set, else the one on PATH."""
    return os.environ.get(f"{name.upper()}_PATH") or shutil.which(name) or name


class VideoError(Exception):
    """A file that cannot become a lecture video. `message` is for editors (Chinese);
    `detail` is ffmpeg's own words, for logs."""

    def __init__(self, message, detail=""):
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotAVideo(VideoError):
    pass


class TranscodeFailed(VideoError):
    pass


@dataclass(frozen=True)
class Probe:
    duration: float  # seconds
    width: int
    height: int
    video_codec: str
    audio_codec: str | None
    frame_rate: float
    container: str

    @property
    def has_audio(self):
        return self.audio_codec is not None


@dataclass(frozen=True)
class Rung:
    name: str
    height: int
    video_kbps: int
    audio_kbps: int

    def width_for(self, probe):
        # Keep the source's shape; H.264 wants even sizes.
        return max(2, round(probe.width * self.height / probe.height / 2) * 2)


LADDER = (
    Rung("720p", 720, 2500, 128),
    Rung("480p", 480, 1000, 96),
    Rung("360p", 360, 600, 64),
)


def _stderr(exc):
    return (getattr(exc, "stderr", b"") or b"").decode("utf-8", "replace").strip()[-2000:]


def probe(path) -> Probe:
    """Duration, size and codecs of a file, or NotAVideo saying why it is not a playable video."""
    try:
        info = ffmpeg.probe(str(path), cmd=binary("ffprobe"))
    except ffmpeg.Error as exc:
        raise NotAVideo("无法识别该文件：它不是可以播放的视频，或文件已损坏。", _stderr(exc)) from exc
    streams = info.get("streams", [])
    # A cover picture inside an audio file is a "video" stream too: it is not a video.
    video = next(
        (s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None:
        raise NotAVideo("文件中没有视频画面（可能是纯音频文件），请上传视频文件。")
    try:
        duration = float(info.get("format", {}).get("duration") or video.get("duration") or 0)
    except ValueError:
        duration = 0
    if not math.isfinite(duration) or duration <= 0 or not video.get("width") or not video.get("height"):
        raise NotAVideo("无法读取视频的时长或画面尺寸，文件可能不完整或已损坏。")
    num, _, den = (video.get("avg_frame_rate") or "0/1").partition("/")
    frame_rate = float(num) / float(den or 1) if float(den or 1) else 0.0
    return Probe(
        duration=duration,
        width=int(video["width"]),
        height=int(video["height"]),
        video_codec=video.get("codec_name", ""),
        audio_codec=audio.get("codec_name") if audio else None,
        frame_rate=frame_rate,
        container=info.get("format", {}).get("format_name", ""),
    )


def rungs_for(source: Probe, ladder=LADDER):
    """The rungs at or below the source's height (never upscale); a source smaller than the
    lowest rung gets one rung at its own height."""
    rungs = [r for r in ladder if r.height <= source.height]
    if not rungs:
        lowest = ladder[-1]
        height = max(2, source.height // 2 * 2)
        rungs = [Rung(f"{height}p", height, lowest.video_kbps, lowest.audio_kbps)]
    return rungs


def x264_options(source: Probe):
    """The libx264 settings every rung shares (the benchmark's one-process-per-rung baseline uses them too)."""
    gop = max(1, round((source.frame_rate or 25) * SEGMENT_SECONDS))
    return {
        "c:v": "libx264",
        "profile:v": "main",
        "preset": X264_PRESET,
        "x264-params": X264_PARAMS,
        "pix_fmt": "yuv420p",
        # Key frames exactly at segment boundaries, so every rung can switch at every segment.
        "g": gop,
        "keyint_min": gop,
        "sc_threshold": 0,
    }


def rate_options(rung: Rung, stream=""):
    """A rung's bitrate and VBV; `stream` (":1") addresses one output stream of a multi-output command."""
    return {
        f"b:v{stream}": f"{rung.video_kbps}k",
        f"maxrate:v{stream}": f"{round(rung.video_kbps * 1.07)}k",
        f"bufsize:v{stream}": f"{rung.video_kbps * 2}k",
    }


def ladder_command(source_path, output_dir, source: Probe, rungs):
    """One ffmpeg process: decode once, split, scale and encode every rung, write HLS."""
    output_dir = Path(output_dir)
    src = ffmpeg.input(str(source_path))
    # Cascade: scale the decoded source once to the top rung, then derive the lower rungs from that
    # smaller picture (cheaper than scaling 1080p three times). Bilinear is sharp enough for ≤3× downscales.
    top = src.video.filter("scale", rungs[0].width_for(source), rungs[0].height, flags=SCALER)
    if len(rungs) == 1:
        pictures = [top]
    else:
        parts = top.filter_multi_output("split", len(rungs))
        pictures = [parts[0]] + [
            parts[i].filter("scale", rung.width_for(source), rung.height, flags=SCALER)
            for i, rung in enumerate(rungs[1:], start=1)
        ]
    audios = src.audio.filter_multi_output("asplit", len(rungs)) if source.has_audio else None
    streams, stream_map, options = [], [], {}
    for i, rung in enumerate(rungs):
        streams.append(pictures[i])
        options.update(rate_options(rung, f":{i}"))
        entry = f"v:{i}"
        if audios is not None:
            streams.append(audios[i])
            options[f"b:a:{i}"] = f"{rung.audio_kbps}k"
            entry += f",a:{i}"
        stream_map.append(f"{entry},name:{rung.name}")
    return ffmpeg.output(
        *streams,
        str(output_dir / "%v" / "index.m3u8"),
        f="hls",
        hls_time=SEGMENT_SECONDS,
        hls_playlist_type="vod",
        hls_segment_filename=str(output_dir / "%v" / "segment_%05d.ts"),
        master_pl_name="master.m3u8",
        var_stream_map=" ".join(stream_map),
        **x264_options(source),
        **options,
        **{"c:a": "aac"},
        ac=2,
        ar=48000,
    ).global_args("-hide_banner", "-nostats", "-loglevel", "error", "-progress", "pipe:1")


def _die_with_parent():
    """Linux: ffmpeg gets SIGKILL when the worker that started it dies, so a killed worker never
    leaves an orphan encoder running (and writing) beside the job that replaces it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


def run_with_progress(stream, duration, on_progress: Callable[[float], None] | None = None, every=5.0):
    """Run a compiled ffmpeg command, reporting percent done from its `-progress` output at each
    whole percent and at least every `every` seconds (a heartbeat for long, slow sources).
    If `on_progress` raises (the job was cancelled), ffmpeg is stopped and the exception propagates."""
    args = stream.compile(cmd=binary("ffmpeg"), overwrite_output=True)
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec)
    # stderr is read on a thread: a chatty ffmpeg must not block on a full pipe while we read stdout.
    stderr_chunks = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(process.stderr.read()), daemon=True)
    reader.start()
    last, last_at = -1.0, time.monotonic()
    try:
        for line in process.stdout:
            key, _, value = line.strip().partition("=")
            if key == "out_time_us" and value.isdigit() and duration > 0:
                percent = min(99.9, int(value) / 1e6 / duration * 100)
                now = time.monotonic()
                if on_progress and (percent - last >= 1 or now - last_at >= every):
                    on_progress(percent)
                    last, last_at = percent, now
        returncode = process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    reader.join()
    stderr = "".join(stderr_chunks)
    if returncode != 0:
        raise TranscodeFailed("视频转码失败：文件可能已损坏或使用了不支持的编码。", stderr.strip()[-2000:])
    if on_progress:
        on_progress(100.0)


def run(stream):
    try:
        stream.run(cmd=binary("ffmpeg"), overwrite_output=True, capture_stdout=True, capture_stderr=True)
    except ffmpeg.Error as exc:
        raise TranscodeFailed("无法从视频中截取封面图。", _stderr(exc)) from exc


def make_poster(source_path, poster_path, thumbnail_path, source: Probe):
    """The poster (≤720 px high) and a small thumbnail (180 px high) as JPEG, from one ffmpeg run."""
    at = min(source.duration * 0.1, 30.0)
    height = min(720, source.height // 2 * 2)
    frame = ffmpeg.input(str(source_path), ss=f"{at:.3f}").filter("thumbnail", 60).filter_multi_output("split", 2)
    poster = frame[0].filter("scale", -2, height).output(str(poster_path), vframes=1, **{"q:v": 3})
    thumbnail = frame[1].filter("scale", -2, 180).output(str(thumbnail_path), vframes=1, **{"q:v": 4})
    run(ffmpeg.merge_outputs(poster, thumbnail).global_args("-hide_banner", "-loglevel", "error"))


def probe_playlist_duration(output_dir):
    """Seconds of video in the top rung's playlist: the sum of its segments' #EXTINF durations."""
    master = Path(output_dir) / "master.m3u8"
    if not master.exists():
        return 0.0
    first = next((line for line in master.read_text().splitlines() if line and not line.startswith("#")), None)
    if first is None or not (Path(output_dir) / first).exists():
        return 0.0
    total = 0.0
    for line in (Path(output_dir) / first).read_text().splitlines():
        if line.startswith("#EXTINF:"):
            total += float(line[len("#EXTINF:") :].split(",")[0] or 0)
    return total


@dataclass
class LadderResult:
    source: Probe
    rungs: list
    master: Path
    poster: Path
    thumbnail: Path


def transcode(source_path, output_dir, on_progress=None, source: Probe | None = None) -> LadderResult:
    """Probe (unless the caller already did), then write the whole HLS ladder in one process and, beside
    it, the poster and thumbnail. Everything goes into `output_dir`, which the caller moves into
    storage only when this returns."""
    output_dir = Path(output_dir)
    source = source or probe(source_path)
    rungs = rungs_for(source)
    for rung in rungs:
        (output_dir / rung.name).mkdir(parents=True, exist_ok=True)
    poster, thumbnail = output_dir / "poster.jpg", output_dir / "thumbnail.jpg"
    # The poster needs a few frames a tenth into the video: made beside the ladder, not after it.
    failures = []

    def make_pictures():
        try:
            make_poster(source_path, poster, thumbnail, source)
        except VideoError as exc:
            failures.append(exc)

    pictures = threading.Thread(target=make_pictures, name="poster")
    pictures.start()
    try:
        run_with_progress(ladder_command(source_path, output_dir, source, rungs), source.duration, on_progress)
    finally:
        pictures.join()
    if failures:
        raise failures[0]
    return LadderResult(source, rungs, output_dir / "master.m3u8", poster, thumbnail)


def make_sample_lecture(path, seconds=20, size="1280x720", rate=25):
    """A lecture-like sample video with sound, from ffmpeg's own test sources: for the demo site
    (nothing large is committed) and the tests."""
    picture = ffmpeg.input(f"testsrc2=s={size}:r={rate}:d={seconds}", f="lavfi")
    sound = ffmpeg.input(f"sine=f=220:beep_factor=4:d={seconds}", f="lavfi")
    stream = ffmpeg.output(
        picture,
        sound,
        str(path),
        **{"c:v": "libx264", "c:a": "aac"},
        preset="veryfast",
        crf=23,
        pix_fmt="yuv420p",
        movflags="+faststart",
        shortest=None,
    ).global_args("-hide_banner", "-loglevel", "error")
    try:
        stream.run(cmd=binary("ffmpeg"), overwrite_output=True, capture_stdout=True, capture_stderr=True)
    except ffmpeg.Error as exc:
        raise TranscodeFailed("无法生成示例视频。", _stderr(exc)) from exc
    return Path(path)
