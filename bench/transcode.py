"""Transcoding benchmark: one process per rung vs. the single-process ladder vs. the pipeline.

    .venv/bin/python bench/transcode.py [--duration 60] [--rounds 3] [--quality] [--source video.mp4]

Generates a 1080p 30 fps lecture-like video with audio (a still slide with a moving pointer,
from ffmpeg's lavfi sources), then times on the same file:
  (a) one ffmpeg process per rung, each decoding the source again (what wagtailvideos and PeerTube do),
      with exactly the pipeline's encoder settings (media.ffmpeg.x264_options, rate_options, SCALER);
  (b) the raw single-process ladder command (decode once, split, encode every rung);
  (c) the pipeline's transcode(): probe + (b) with progress parsing + poster and thumbnail.
Prints wall time, realtime factor (video seconds per wall second) and CPU time of each, and the
ratios CPU(a)/CPU(c) and wall(c)/wall(b). The three run in interleaved rounds (a b c, a b c, …) and
the medians are reported: on a shared 2-core VM one run of each varies by ±20 % (CPU time too, when
other work runs). With --quality, SSIM and PSNR of each rung of (c) against the source scaled to the
rung's size by lanczos, to weigh faster encoder settings against what they cost in picture."""

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ffmpeg as ffmpeg_python  # noqa: E402

from media import ffmpeg  # noqa: E402


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(label, fn):
    cpu, wall = children_cpu(), time.perf_counter()
    fn()
    return label, time.perf_counter() - wall, children_cpu() - cpu


def generate(path, duration):
    slide = "smptehdbars=s=1920x1080:r=30"
    pointer = "color=c=red:s=40x40:r=30"
    graph = f"[0:v][1:v]overlay=x='200+mod(t*120,1500)':y='500+100*sin(t)':shortest=1,trim=duration={duration}[v]"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", slide, "-f", "lavfi", "-i", pointer,
         "-f", "lavfi", "-i", f"sine=f=220:beep_factor=4:d={duration}",
         "-filter_complex", graph, "-map", "[v]", "-map", "2:a",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip


def one_process_per_rung(source_path, out, source):
    """Each rung by its own ffmpeg process from the source, with the pipeline's own encoder settings."""
    for rung in ffmpeg.rungs_for(source):
        (out / rung.name).mkdir(parents=True, exist_ok=True)
        stream = (
            ffmpeg_python.input(str(source_path))
            .output(
                str(out / rung.name / "index.m3u8"),
                vf=f"scale={rung.width_for(source)}:{rung.height}:flags={ffmpeg.SCALER}",
                f="hls",
                hls_time=ffmpeg.SEGMENT_SECONDS,
                hls_playlist_type="vod",
                **ffmpeg.x264_options(source),
                **ffmpeg.rate_options(rung),
                **{"c:a": "aac", "b:a": f"{rung.audio_kbps}k"},
                ac=2,
                ar=48000,
            )
            .global_args("-hide_banner", "-loglevel", "error")
        )
        stream.run(cmd=ffmpeg.binary("ffmpeg"), overwrite_output=True)


REFERENCE_SCALER = "lanczos+accurate_rnd+full_chroma_int"


def quality(source_path, out, source):
    """SSIM and PSNR of each rung in `out` against the source scaled to the rung's size by a
    high-quality scaler: what the encoder settings and the pipeline's own scaler cost in picture."""
    scores = {}
    for rung in ffmpeg.rungs_for(source):
        graph = (
            f"[1:v]scale={rung.width_for(source)}:{rung.height}:flags={REFERENCE_SCALER},format=yuv420p,"
            "setpts=PTS-STARTPTS,split[ref1][ref2];[0:v]setpts=PTS-STARTPTS,split[out1][out2];"
            "[out1][ref1]ssim;[out2][ref2]psnr"
        )
        result = subprocess.run(
            [ffmpeg.binary("ffmpeg"), "-hide_banner", "-nostats", "-i", str(out / rung.name / "index.m3u8"),
             "-i", str(source_path), "-filter_complex", graph, "-f", "null", "-"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        ssim = re.search(r"SSIM Y:([\d.]+) .*All:([\d.]+)", result.stderr)
        psnr = re.search(r"PSNR y:([\d.]+|inf) .*average:([\d.]+|inf)", result.stderr)
        scores[rung.name] = tuple(float(m) for m in (ssim[1], ssim[2], psnr[1], psnr[2]))
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of generated 1080p video (default 60)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of (a) (b) (c); medians (default 3)")
    parser.add_argument("--quality", action="store_true", help="then SSIM/PSNR of each rung of (c) against the source")
    parser.add_argument("--source", type=Path, help="time this video instead of a generated one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-transcode-") as tmp:
        tmp = Path(tmp)
        source_path = args.source or tmp / "lecture-1080p.mp4"
        if not args.source:
            print(f"generating a {args.duration} s 1080p30 lecture-like source …", flush=True)
            generate(source_path, args.duration)
        source = ffmpeg.probe(source_path)
        rungs = ffmpeg.rungs_for(source)
        print(f"source: {source.width}x{source.height} {source.frame_rate:.0f} fps, {source.duration:.1f} s, "
              f"rungs: {', '.join(r.name for r in rungs)}")  # fmt: skip

        def raw_ladder():
            out = tmp / "b"
            for rung in rungs:
                (out / rung.name).mkdir(parents=True, exist_ok=True)
            stream = ffmpeg.ladder_command(source_path, out, source, rungs)
            subprocess.run(stream.compile(cmd=ffmpeg.binary("ffmpeg"), overwrite_output=True),
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip

        variants = [
            ("(a) one process per rung", lambda: one_process_per_rung(source_path, tmp / "a", source)),
            ("(b) raw single-process ladder", raw_ladder),
            ("(c) pipeline transcode()", lambda: ffmpeg.transcode(source_path, tmp / "c")),
        ]
        runs = {label: [] for label, _ in variants}
        for round_ in range(1, args.rounds + 1):
            for label, fn in variants:
                _, wall, cpu = timed(label, fn)
                runs[label].append((wall, cpu))
                print(f"round {round_}: {label:32} {wall:6.1f} s wall {cpu:6.1f} s CPU", flush=True)
        results = [
            (label, statistics.median(w for w, _ in runs[label]), statistics.median(c for _, c in runs[label]))
            for label, _ in variants
        ]
        scores = quality(source_path, tmp / "c", source) if args.quality else {}
    print(f"\nmedians of {args.rounds} rounds")
    print(f"{'':32} {'wall s':>8} {'× realtime':>11} {'CPU s':>8}")
    for label, wall, cpu in results:
        print(f"{label:32} {wall:8.1f} {source.duration / wall:11.2f} {cpu:8.1f}")
    (_, wall_a, cpu_a), (_, wall_b, _), (_, wall_c, cpu_c) = results
    print(f"\nCPU time, one process per rung / pipeline: {cpu_a / cpu_c:.2f}×  (goal ≥ 1.3×)")
    print(f"wall time, pipeline / raw single command:  {wall_c / wall_b:.3f}  (goal ≤ 1.05)")
    print(f"pipeline speed: {source.duration / wall_c:.2f}× realtime  (goal ≥ 3×)")
    print(f"settings: x264 {ffmpeg.X264_PRESET} {ffmpeg.X264_PARAMS}, scaler {ffmpeg.SCALER}")
    if scores:
        print(f"\nquality of (c) against the source scaled by {REFERENCE_SCALER}")
        print(f"{'rung':6} {'SSIM Y':>9} {'SSIM all':>9} {'PSNR Y':>8} {'PSNR avg':>9}")
        for name, (ssim_y, ssim_all, psnr_y, psnr_avg) in scores.items():
            print(f"{name:6} {ssim_y:9.5f} {ssim_all:9.5f} {psnr_y:8.2f} {psnr_avg:9.2f}")


if __name__ == "__main__":
    main()
