"""What happens when review approves."""


def publish_approved(workflow_state, user=None):
    """Publish what the reviewers approved. Wagtail's default checks that the approving user may
    publish; here reviewers have no publish permission on purpose (nobody publishes directly, not
    even their own work), so the approval itself is the authority. The review task checks who may
    approve (editorial.models.CenterReviewTask)."""
    workflow_state.content_object.get_latest_revision().publish(user=user, skip_permission_checks=True)
