"""E-mail for the review workflow. Wagtail already tells the submitter when their work is approved
or sent back (with the reviewer's comment); what it cannot know is who the reviewers of a center
are, so the submission notice to them is ours."""

from django.conf import settings

from wagtail.admin.mail import GroupApprovalTaskStateSubmissionEmailNotifier


class CenterReviewSubmissionNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    def can_handle(self, instance, **kwargs):
        from .models import CenterReviewTask

        return isinstance(instance, self.valid_classes) and isinstance(instance.task.specific, CenterReviewTask)

    def get_recipient_users(self, task_state, **kwargs):
        from django.contrib.auth import get_user_model

        task = task_state.task.specific
        recipients = task.reviewers(task_state.workflow_state.content_object)
        if getattr(settings, "WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS", True):
            recipients = recipients | get_user_model().objects.filter(is_superuser=True, is_active=True)
        triggering_user = kwargs.get("user")
        if triggering_user is not None:
            recipients = recipients.exclude(pk=triggering_user.pk)
        return recipients.distinct()


center_review_submitted = CenterReviewSubmissionNotifier()
