"""The transcoding engine on real (generated) video with the real ffmpeg that `make test` installs."""

import pytest
from PIL import Image, ImageStat

from media import ffmpeg

from .videos import make


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    d = tmp_path_factory.mktemp("videos")
    lavfi = ["-f", "lavfi", "-i"]
    return {
        # A lecture that opens on a black second, as recordings often do.
        "lecture": make(
            d / "lecture.mp4",
            *lavfi, "color=c=black:s=1280x720:r=30:d=1",
            *lavfi, "testsrc2=s=1280x720:r=30:d=5",
            *lavfi, "sine=f=440:d=6",
            "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-map", "2:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
        ),
        "small": make(
            d / "small.mp4", *lavfi, "testsrc2=s=640x360:r=25:d=2", "-c:v", "libx264", "-preset", "ultrafast"
        ),
        "audio": make(d / "talk.m4a", *lavfi, "sine=f=300:d=2", "-c:a", "aac"),
    }  # fmt: skip


def test_probe_reads_what_editors_never_type(videos):
    source = ffmpeg.probe(videos["lecture"])
    assert source.duration == pytest.approx(6, abs=0.1)
    assert (source.width, source.height, source.video_codec, source.audio_codec) == (1280, 720, "h264", "aac")
    assert source.frame_rate == pytest.approx(30)


def test_one_process_writes_the_whole_ladder_with_a_master_playlist(videos, tmp_path):
    seen = []
    result = ffmpeg.transcode(videos["lecture"], tmp_path, on_progress=seen.append)
    master = result.master.read_text()
    assert [r.name for r in result.rungs] == ["720p", "480p", "360p"]
    for rung, size in (("720p", "1280x720"), ("480p", "854x480"), ("360p", "640x360")):
        assert f"RESOLUTION={size}" in master and f"{rung}/index.m3u8" in master
        playlist = (tmp_path / rung / "index.m3u8").read_text()
        assert "#EXT-X-ENDLIST" in playlist and "#EXT-X-TARGETDURATION:6" in playlist
    bandwidths = [int(line.split("BANDWIDTH=")[1].split(",")[0]) for line in master.splitlines() if "BANDWIDTH" in line]
    assert bandwidths == sorted(bandwidths, reverse=True) and 2_000_000 < bandwidths[0] < 3_500_000
    # Progress climbs from ffmpeg's -progress output and ends at 100.
    assert seen == sorted(seen) and seen[-1] == 100 and len(seen) >= 2


def test_the_poster_is_not_the_black_first_frame(videos, tmp_path):
    result = ffmpeg.transcode(videos["lecture"], tmp_path)
    poster = Image.open(result.poster)
    assert poster.size == (1280, 720)
    assert ImageStat.Stat(poster.convert("L")).mean[0] > 40, "the poster is (nearly) black"
    assert Image.open(result.thumbnail).size == (320, 180)


def test_never_upscales_and_copes_without_audio(videos, tmp_path):
    result = ffmpeg.transcode(videos["small"], tmp_path)
    assert [r.name for r in result.rungs] == ["360p"]
    master = result.master.read_text()
    assert "RESOLUTION=640x360" in master and "720p" not in master and "480p" not in master


def test_an_audio_only_file_is_not_a_video(videos):
    with pytest.raises(ffmpeg.NotAVideo) as exc:
        ffmpeg.probe(videos["audio"])
    assert "纯音频" in exc.value.message


def test_a_text_file_renamed_mp4_is_not_a_video(tmp_path):
    fake = tmp_path / "lecture.mp4"
    fake.write_text("这不是视频，只是改了扩展名的文本文件。\n" * 50, encoding="utf-8")
    with pytest.raises(ffmpeg.NotAVideo) as exc:
        ffmpeg.probe(fake)
    assert "不是可以播放的视频" in exc.value.message and exc.value.detail


def test_a_truncated_upload_is_refused(videos, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(videos["lecture"].read_bytes()[:4000])
    with pytest.raises(ffmpeg.VideoError):
        ffmpeg.transcode(broken, tmp_path / "out")
