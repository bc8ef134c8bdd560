"""What the platform accepts as a lecture video, checked on the file's content (ffprobe), never on
its name. Used by the upload form, the importer and the transcoding job alike."""

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from . import ffmpeg


def check_size(size):
    limit = settings.MEDIA_MAX_UPLOAD_SIZE
    if size is not None and size > limit:
        raise ffmpeg.NotAVideo(f"文件过大（{filesizeformat(size)}），单个视频不能超过 {filesizeformat(limit)}。")


def check_probe(probe: ffmpeg.Probe):
    """NotAVideo unless the container, the video codec and the length are ones the platform accepts."""
    if probe.duration > settings.MEDIA_MAX_DURATION_SECONDS:
        raise ffmpeg.NotAVideo(
            f"视频过长（{probe.duration / 3600:.1f} 小时），单个视频不能超过 "
            f"{settings.MEDIA_MAX_DURATION_SECONDS / 3600:g} 小时，请剪辑后分段上传。"
        )
    containers = set(probe.container.split(","))
    if not containers & set(settings.MEDIA_ALLOWED_CONTAINERS):
        raise ffmpeg.NotAVideo(
            f"不支持的视频封装格式（{probe.container}），请上传 MP4、MOV、MKV、WebM 等常见格式。",
            f"container {probe.container!r} not in MEDIA_ALLOWED_CONTAINERS",
        )
    if probe.video_codec not in settings.MEDIA_ALLOWED_VIDEO_CODECS:
        raise ffmpeg.NotAVideo(
            f"不支持的视频编码（{probe.video_codec}），请导出为 H.264 等常见编码后重新上传。",
            f"codec {probe.video_codec!r} not in MEDIA_ALLOWED_VIDEO_CODECS",
        )


def inspect(path, size=None) -> ffmpeg.Probe:
    """Probe a local file and check it against the limits; NotAVideo says why it is refused."""
    check_size(size)
    probe = ffmpeg.probe(path)
    check_probe(probe)
    return probe
