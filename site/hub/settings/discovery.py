"""Settings of the discovery app (docs). Star-imported by base.py."""
