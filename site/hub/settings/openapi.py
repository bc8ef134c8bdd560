"""Settings of the openapi app (docs). Star-imported by base.py."""
