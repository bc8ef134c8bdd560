"""Captions: WebVTT as uploaded, SRT converted to WebVTT (the format browsers' <track> reads)."""

import re

from django.core.exceptions import ValidationError

MAX_CAPTIONS_BYTES = 2 * 1024 * 1024
# SRT writes milliseconds after a comma (00:01:02,500); WebVTT after a full stop.
SRT_TIME = re.compile(r"(\d{1,2}:\d{2}:\d{2}),(\d{3})")
CUE_TIMING = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\.\d{3}\s+-->\s+\d{1,2}:\d{2}(?::\d{2})?\.\d{3}")


def decode(data: bytes) -> str:
    # Chinese subtitle files come as UTF-8 (with or without BOM) or in GB18030 from older tools.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("无法读取字幕文件的文字编码，请另存为 UTF-8 编码后重新上传。")


def to_webvtt(data: bytes) -> str:
    """The WebVTT text of an uploaded .vtt or .srt file, or ValidationError saying what is wrong."""
    if len(data) > MAX_CAPTIONS_BYTES:
        raise ValidationError("字幕文件过大（超过 2 MB），请检查是否上传了正确的文件。")
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text.startswith("WEBVTT"):
        text = "WEBVTT\n\n" + SRT_TIME.sub(r"\1.\2", text)
    # "-->" in a cue's text would read as a new cue timing in WebVTT.
    text = "\n".join(line if CUE_TIMING.match(line) else line.replace("-->", "→") for line in text.split("\n"))
    if not CUE_TIMING.search(text):
        raise ValidationError(
            "字幕文件中没有找到时间轴（如 00:00:01,000 --> 00:00:04,000），请上传 SRT 或 WebVTT 字幕。"
        )
    return text + "\n"
