"""The upload form (wagtailmedia's, set by WAGTAILMEDIA["MEDIA_FORM_BASE"]): the file is probed
while the editor waits, so a fake or unsupported video is refused at once with the reason, and
nothing is stored for it."""

import os
import tempfile

from django import forms
from django.core.files.base import ContentFile

from wagtailmedia.forms import BaseMediaForm
from wagtailmedia.models import MediaType

from . import captions, validation
from .ffmpeg import VideoError


def local_path(upload):
    """A path ffprobe can read for an upload: Django keeps large uploads in a temporary file
    already; small ones live in memory and are written out."""
    if hasattr(upload, "temporary_file_path"):
        return upload.temporary_file_path(), False
    with tempfile.NamedTemporaryFile(delete=False, suffix=".upload") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    upload.seek(0)
    return handle.name, True


class VideoForm(BaseMediaForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "title" in self.fields:
            self.fields["title"].help_text = "留空则使用文件名。"
            self.fields["title"].required = False
        self.probe = None

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if "file" not in self.changed_data or not upload:
            return upload
        if self.instance.type != MediaType.VIDEO:
            raise forms.ValidationError("本平台只接收视频文件。")
        path, remove = local_path(upload)
        try:
            self.probe = validation.inspect(path, size=upload.size)
        except VideoError as exc:
            raise forms.ValidationError(exc.message) from exc
        finally:
            if remove:
                os.unlink(path)
        return upload

    def clean_captions(self):
        upload = self.cleaned_data.get("captions")
        if "captions" not in self.changed_data or not upload:
            return upload
        text = captions.to_webvtt(upload.read())
        return ContentFile(text.encode("utf-8"), name="captions.vtt")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if not cleaned.get("title") and (upload is None or "file" not in self.changed_data):
            self.add_error("title", "请填写标题。")
        elif not cleaned.get("title"):
            # Only for display: the stored path never uses the editor's file name.
            cleaned["title"] = os.path.splitext(os.path.basename(upload.name))[0][:255] or "未命名视频"
            self.instance.title = cleaned["title"]
        return cleaned

    def save(self, commit=True):
        video = super().save(commit=False)
        if self.probe is not None:
            video.apply_probe(self.probe, size=self.cleaned_data["file"].size)
        if commit:
            video.save()
            self.save_m2m()
        return video
