"""feedback settings (docs/feedback.md). Star-imported by base.py."""

import os

# Rating submissions (saving or deleting a rating) one counselor may make per hour, counted in Django's
# cache (shared by every process when CACHE_URL names a Redis); more are refused with a 429 page.
FEEDBACK_CHANGES_PER_HOUR = int(os.environ.get("FEEDBACK_CHANGES_PER_HOUR", "20"))
# Approved comments shown per page under a course (older ones behind 查看更多).
FEEDBACK_COMMENTS_PER_PAGE = int(os.environ.get("FEEDBACK_COMMENTS_PER_PAGE", "20"))
