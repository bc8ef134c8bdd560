from django.dispatch import Signal

# Sent with `page_id` each time a reader opens a live resource (the "most watched" sort).
resource_viewed = Signal()

# Sent when something public pages show changed by a plain UPDATE, which no post_save reports: a video
# finished transcoding (its course page now plays it), a comment was approved or rejected. The page cache
# (pagecache) drops its copies.
public_content_changed = Signal()
