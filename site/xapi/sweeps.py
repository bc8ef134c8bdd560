def send_statements():
    """Send the outbox's statements to the Learning Record Store (filled in by this app)."""
