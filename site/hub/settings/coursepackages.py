"""coursepackages settings (docs). Star-imported by base.py."""
