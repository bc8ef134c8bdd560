"""The micro-course's admin form: a draft may be incomplete, a course that goes to readers may not."""

from django.core.exceptions import ValidationError

from resources.forms import ResourcePageForm

# Which buttons of Wagtail's page editor send the page towards readers: publish, submit for review,
# and a reviewer's approval from the edit form (a rejection or a plain save keeps the draft as it is).
PUBLISHING_ACTIONS = ("action-publish", "action-submit")

# What a published course needs, field by field, with the message the editor reads beside it.
REQUIRED_TO_PUBLISH = {
    "lecturer": "发布前请选择主讲人。",
    "video": "发布前请选择或上传课程视频。",
    "learning_hours": "发布前请填写学时（大于 0）。",
    "capabilities": "发布前请至少选择一个能力方向。",
    "stages": "发布前请至少选择一个培训对象。",
}
EMPTY_CONTENT = "发布前请填写摘要或正文，说明这门课讲什么。"
FAILED_VIDEO = "这个视频转码失败，不能发布：请重新上传或选择其他视频。"


class MicroCoursePageForm(ResourcePageForm):
    def publishing(self):
        data = self.data
        if any(data.get(name) for name in PUBLISHING_ACTIONS):
            return True
        return bool(data.get("action-workflow-action")) and data.get("workflow-action-name") == "approve"

    def clean(self):
        cleaned = super().clean()
        if not self.is_bound or not self.publishing():
            return cleaned
        for name, message in REQUIRED_TO_PUBLISH.items():
            if name not in self.fields or name in self.errors:
                continue
            value = cleaned.get(name)
            empty = not value or (name == "learning_hours" and value <= 0)
            if empty:
                self.add_error(name, ValidationError(message, code="required_to_publish"))
        video = cleaned.get("video")
        if video is not None and "video" not in self.errors and video.status == video.Status.FAILED:
            self.add_error("video", ValidationError(FAILED_VIDEO, code="failed_video"))
        if not (cleaned.get("summary") or "").strip() and not cleaned.get("body") and "summary" not in self.errors:
            self.add_error("summary", ValidationError(EMPTY_CONTENT, code="required_to_publish"))
        return cleaned
