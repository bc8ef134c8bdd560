"""Settings of the pagecache app (docs). Star-imported by base.py."""
