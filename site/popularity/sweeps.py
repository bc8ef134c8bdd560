def refresh_stats():
    """Count courses' viewers, completions and ratings again from their rows (filled in by this app)."""
