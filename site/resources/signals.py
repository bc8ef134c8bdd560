from django.dispatch import Signal

# Sent with `page_id` each time a reader opens a live resource (the "most watched" sort).
resource_viewed = Signal()
